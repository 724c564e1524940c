using System.Globalization;
using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// A cursor over command arguments that applies the RFC 3501 grammar. <c>Expect*</c> methods
/// require an element and throw <see cref="ImapSyntaxException"/> (answered BAD); <c>Try*</c>
/// methods consume only on a match.
/// </summary>
public sealed class ArgReader
{
    private readonly IReadOnlyList<ImapArg> _args;
    private int _next;

    public ArgReader(IReadOnlyList<ImapArg> args)
    {
        _args = args;
    }

    public bool AtEnd => _next >= _args.Count;

    /// <summary>
    /// UTF8=ACCEPT is enabled (RFC 6855 §3): mailbox names arrive as UTF-8 and are turned into the
    /// modified UTF-7 used everywhere below the protocol.
    /// </summary>
    public bool Utf8Names { get; init; }

    /// <summary>Arguments not consumed yet.</summary>
    public int Remaining => _args.Count - _next;

    public ImapArg? Peek() => AtEnd ? null : _args[_next];

    public ImapArg ExpectAny(string what = "argument") =>
        AtEnd ? throw new ImapSyntaxException("Missing " + what) : _args[_next++];

    /// <summary>An atom (not a string); returned as sent.</summary>
    public string ExpectAtom(string what = "argument") =>
        ExpectAny(what) is AtomArg a ? a.Value : throw new ImapSyntaxException("Invalid " + what);

    /// <summary>Consumes the atom <paramref name="keyword"/> (case-insensitive) when it is next.</summary>
    public bool TryAtom(string keyword)
    {
        if (Peek() is AtomArg a && a.Value.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _next++;
            return true;
        }

        return false;
    }

    /// <summary>Consumes NIL when it is next.</summary>
    public bool TryNil() => TryAtom("NIL");

    /// <summary>An astring (atom, quoted string or literal) as raw bytes.</summary>
    public byte[] ExpectAStringBytes(string what = "argument") => ExpectAny(what) switch
    {
        AtomArg a when IsAStringAtom(a.Value) => Encoding.ASCII.GetBytes(a.Value),
        StringArg { IsBinary: true } => throw Literal8NotAllowed(),
        StringArg s => s.Content.ToArray(),
        _ => throw new ImapSyntaxException("Invalid " + what),
    };

    /// <summary>An astring decoded as UTF-8.</summary>
    public string ExpectAString(string what = "argument") =>
        Utf8Strict(ExpectAStringBytes(what), what);

    /// <summary>A string (quoted or literal only), as UTF-8.</summary>
    public string ExpectString(string what = "argument") => ExpectAny(what) switch
    {
        StringArg { IsBinary: true } => throw Literal8NotAllowed(),
        StringArg s => Utf8Strict(s.Content.ToArray(), what),
        _ => throw new ImapSyntaxException("Invalid " + what),
    };

    /// <summary>NIL (null) or a string.</summary>
    public string? ExpectNString(string what = "argument")
    {
        if (TryNil())
        {
            return null;
        }

        return ExpectString(what);
    }

    /// <summary>A parenthesized list, returned as a reader over its items.</summary>
    public ArgReader ExpectList(string what = "list") =>
        ExpectAny(what) is ListArg l ? new ArgReader(l.Items) : throw new ImapSyntaxException("Invalid " + what);

    public bool TryList(out ArgReader list)
    {
        if (Peek() is ListArg l)
        {
            _next++;
            list = new ArgReader(l.Items);
            return true;
        }

        list = null!;
        return false;
    }

    /// <summary>A non-negative number (RFC 3501 number: up to 2^32-1).</summary>
    public uint ExpectNumber(string what = "number")
    {
        string atom = ExpectAtom(what);
        if (atom.Length == 0 || !atom.All(char.IsAsciiDigit) ||
            !uint.TryParse(atom, NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
        {
            throw new ImapSyntaxException("Invalid " + what);
        }

        return n;
    }

    /// <summary>A non-zero number (nz-number).</summary>
    public uint ExpectNonZeroNumber(string what = "number")
    {
        uint n = ExpectNumber(what);
        return n != 0 ? n : throw new ImapSyntaxException("Invalid " + what);
    }

    public SequenceSet ExpectSequenceSet() =>
        SequenceSet.TryParse(ExpectAtom("sequence set"), out var set)
            ? set
            : throw new ImapSyntaxException("Invalid sequence set");

    /// <summary>A mailbox name (astring); any case of INBOX becomes "INBOX".</summary>
    public string ExpectMailbox()
    {
        string name = ExpectAString("mailbox name");
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }

        return StoredName(name);
    }

    /// <summary>
    /// A mailbox name or pattern as the store keeps it: UTF-8 names (RFC 6855, RFC 9051) in NFC
    /// (RFC 6855 §3) and then modified UTF-7; modified UTF-7 names as they came.
    /// </summary>
    public string StoredName(string name) => Utf8Names ? ModifiedUtf7.Encode(UnicodeNormalization.Nfc(name)) : name;

    public void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new ImapSyntaxException("Too many arguments");
        }
    }

    /// <summary>
    /// ASTRING-CHARs: the reader's atoms already exclude SP, CTLs, parentheses, braces and quotes;
    /// list wildcards and backslash (flags) are atoms but not astrings.
    /// </summary>
    private static bool IsAStringAtom(string atom) => atom.IndexOfAny(['%', '*', '\\']) < 0;

    /// <summary>RFC 3516 §4.2: a literal8 is allowed only where the grammar says so (APPEND's message).</summary>
    public static ImapSyntaxException Literal8NotAllowed() => new("literal8 not allowed here");

    private static string Utf8Strict(byte[] bytes, string what)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ImapSyntaxException("Invalid UTF-8 in " + what);
        }
    }
}
