using System.Globalization;
using System.Text;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>One piece of IMAP response data: an atom, a string (quoted or literal, the same thing here), NIL, or a list.</summary>
internal abstract record ImapNode
{
    /// <summary>
    /// Canonical text: strings are always written quoted with bytes outside printable ASCII
    /// escaped as \xNN, so "x" and {1}\r\nx are equal and nothing else is.
    /// </summary>
    public abstract void Write(StringBuilder sb);

    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }

    public static bool Same(ImapNode? a, ImapNode? b) => a?.ToString() == b?.ToString();
}

internal sealed record ImapAtom(string Text) : ImapNode
{
    public override void Write(StringBuilder sb) => sb.Append(Text);
}

internal sealed record ImapNil : ImapNode
{
    public static readonly ImapNil Value = new();

    public override void Write(StringBuilder sb) => sb.Append("NIL");
}

internal sealed record ImapString(byte[] Bytes) : ImapNode
{
    public string Latin1 => Encoding.Latin1.GetString(Bytes);

    public static ImapString Of(string latin1) => new(Encoding.Latin1.GetBytes(latin1));

    public override void Write(StringBuilder sb)
    {
        sb.Append('"');
        foreach (byte b in Bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                sb.Append('\\');
            }

            sb.Append(b < 0x20 || b >= 0x7f ? $"\\x{b:x2}" : ((char)b).ToString());
        }

        sb.Append('"');
    }
}

internal sealed record ImapList(IReadOnlyList<ImapNode> Items) : ImapNode
{
    public int Count => Items.Count;

    public ImapNode this[int i] => Items[i];

    public ImapList With(int index, ImapNode value)
    {
        var copy = Items.ToList();
        copy[index] = value;
        return new ImapList(copy);
    }

    public override void Write(StringBuilder sb)
    {
        sb.Append('(');
        for (int i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            Items[i].Write(sb);
        }

        sb.Append(')');
    }
}

/// <summary>A server response: tagged status, continuation, or untagged data.</summary>
internal sealed class ImapResponse
{
    /// <summary>"*", "+" or the tag.</summary>
    public required string Tag { get; init; }

    /// <summary>The rest of the line for everything but FETCH (status text, SEARCH numbers, ...).</summary>
    public string Text { get; init; } = "";

    /// <summary>For "* n FETCH (...)": the message number.</summary>
    public int FetchNumber { get; init; }

    /// <summary>For "* n FETCH (...)": data item name (upper case) to value.</summary>
    public Dictionary<string, ImapNode>? Fetch { get; init; }
}

/// <summary>Reads server responses from a byte stream: lines with literals, FETCH data parsed into trees.</summary>
internal sealed class ImapResponseReader(Stream stream)
{
    private readonly BufferedStream _in = new(stream, 1 << 16);
    private int _peeked = -2;

    public ImapResponse Read()
    {
        string tag = Atom();
        if (tag == "")
        {
            throw new EndOfStreamException("server closed the connection");
        }

        if (tag != "*")
        {
            Expect(' ', allowEnd: true);
            return new ImapResponse { Tag = tag, Text = RestOfLine() };
        }

        Expect(' ');
        string first = Atom();
        if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && Peek() == ' ')
        {
            Next();
            string what = Atom();
            if (what.Equals("FETCH", StringComparison.OrdinalIgnoreCase))
            {
                Expect(' ');
                var items = new Dictionary<string, ImapNode>();
                Expect('(');
                while (true)
                {
                    if (Peek() == ')')
                    {
                        Next();
                        break;
                    }

                    string key = Atom().ToUpperInvariant();
                    Expect(' ');
                    items[key] = Value();
                    if (Peek() == ' ')
                    {
                        Next();
                    }
                }

                EndOfLine();
                return new ImapResponse { Tag = "*", FetchNumber = number, Fetch = items, Text = "FETCH" };
            }

            return new ImapResponse { Tag = "*", Text = first + " " + what + RestOfLine() };
        }

        string rest = Peek() == ' ' ? (Next() == ' ' ? " " : "") + RestOfLine() : RestOfLine();
        return new ImapResponse { Tag = "*", Text = first + rest };
    }

    private ImapNode Value()
    {
        int c = Peek();
        switch (c)
        {
            case '(':
            {
                Next();
                var items = new List<ImapNode>();
                while (true)
                {
                    while (Peek() == ' ')
                    {
                        Next();
                    }

                    if (Peek() == ')')
                    {
                        Next();
                        return new ImapList(items);
                    }

                    items.Add(Value());
                }
            }

            case '"':
            {
                Next();
                var bytes = new List<byte>();
                while (true)
                {
                    int b = Next();
                    if (b == '"')
                    {
                        return new ImapString([.. bytes]);
                    }

                    if (b == '\\')
                    {
                        b = Next();
                    }

                    if (b is '\r' or '\n')
                    {
                        throw new FormatException("line break in a quoted string");
                    }

                    bytes.Add((byte)b);
                }
            }

            case '{':
            {
                Next();
                var digits = new StringBuilder();
                while (Peek() != '}')
                {
                    digits.Append((char)Next());
                }

                Next();
                string count = digits.ToString().TrimEnd('+');
                Expect('\r');
                Expect('\n');
                int n = int.Parse(count, CultureInfo.InvariantCulture);
                byte[] data = new byte[n];
                for (int i = 0; i < n; i++)
                {
                    data[i] = (byte)Next();
                }

                return new ImapString(data);
            }

            default:
            {
                string atom = Atom();
                if (atom == "")
                {
                    throw new FormatException($"unexpected byte 0x{c:x2} in response data");
                }

                return atom.Equals("NIL", StringComparison.OrdinalIgnoreCase) ? ImapNil.Value : new ImapAtom(atom);
            }
        }
    }

    /// <summary>An atom; a [...] part (section spec, response code) is read whole, spaces and parentheses included.</summary>
    private string Atom()
    {
        var sb = new StringBuilder();
        int depth = 0;
        while (true)
        {
            int c = Peek();
            if (c < 0 || c is '\r' or '\n' || (depth == 0 && c is ' ' or '(' or ')' or '"' or '{'))
            {
                return sb.ToString();
            }

            if (c == '[')
            {
                depth++;
            }
            else if (c == ']')
            {
                depth--;
            }

            sb.Append((char)Next());
        }
    }

    private string RestOfLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int c = Next();
            if (c == '\n')
            {
                if (bytes.Count > 0 && bytes[^1] == '\r')
                {
                    bytes.RemoveAt(bytes.Count - 1);
                }

                return Encoding.UTF8.GetString([.. bytes]);
            }

            bytes.Add((byte)c);
        }
    }

    private void EndOfLine()
    {
        string rest = RestOfLine();
        if (rest.Length > 0)
        {
            throw new FormatException($"junk after FETCH response: {rest}");
        }
    }

    private void Expect(char c, bool allowEnd = false)
    {
        if (allowEnd && Peek() is '\r' or '\n')
        {
            return;
        }

        int got = Next();
        if (got != c)
        {
            throw new FormatException($"expected '{c}', got 0x{got:x2}");
        }
    }

    private int Peek()
    {
        if (_peeked == -2)
        {
            _peeked = _in.ReadByte();
        }

        return _peeked;
    }

    private int Next()
    {
        int c = Peek();
        if (c < 0)
        {
            throw new EndOfStreamException("server closed the connection");
        }

        _peeked = -2;
        return c;
    }
}
