using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// One parsed command argument. The reader only tokenizes; meaning (NIL, numbers, sequence
/// sets, mailbox names) is given by <see cref="ArgReader"/> according to the command grammar.
/// </summary>
public abstract record ImapArg;

/// <summary>
/// An atom, ASCII only. May carry a bracketed section as in <c>BODY[HEADER.FIELDS (A B)]&lt;0.10&gt;</c>,
/// kept verbatim for the FETCH section parser.
/// </summary>
public sealed record AtomArg(string Value) : ImapArg
{
    public override string ToString() => Value;
}

/// <summary>A quoted string or a literal; the bytes are exactly what the client sent.</summary>
public sealed record StringArg(LiteralContent Content, bool IsLiteral) : ImapArg
{
    /// <summary>Sent as a literal8 (<c>~{n}</c>, RFC 3516): may hold NUL; allowed only in APPEND's message.</summary>
    public bool IsBinary { get; init; }

    public static StringArg FromBytes(byte[] bytes, bool isLiteral) => new(new MemoryLiteral(bytes), isLiteral);

    /// <summary>The value as UTF-8 text (invalid sequences replaced); for names and small strings only.</summary>
    public string Text => Encoding.UTF8.GetString(Content.ToArray());

    public override string ToString() => IsLiteral ? $"{(IsBinary ? "~" : "")}{{{Content.Length}}}" : $"\"{Text}\"";
}

/// <summary>A parenthesized list.</summary>
public sealed record ListArg(IReadOnlyList<ImapArg> Items) : ImapArg
{
    public override string ToString() => "(" + string.Join(" ", Items) + ")";
}
