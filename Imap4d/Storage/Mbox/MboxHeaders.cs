using System.Collections.Immutable;
using System.Text;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The bookkeeping headers that mbox programs (mailutils, Dovecot, UW imapd, mutt, Sun mail)
/// keep in the message header, and their flag letters. Exactly these are hidden from the client
/// view: <c>Status</c>, <c>X-Status</c>, <c>X-Keywords</c>, <c>X-UID</c>, <c>X-IMAPbase</c>,
/// <c>X-IMAP</c>, <c>Content-Length</c>.
/// </summary>
internal static class MboxHeaders
{
    public static readonly ImmutableArray<string> Hidden =
        ["Status", "X-Status", "X-Keywords", "X-UID", "X-IMAPbase", "X-IMAP", "Content-Length"];

    /// <summary>Which hidden header a field name is (index in <see cref="Hidden"/>), or -1.</summary>
    public static int HiddenIndex(ReadOnlySpan<byte> name)
    {
        if (name.Length < 5 || name.Length > 14)
        {
            return -1;
        }

        byte first = (byte)(name[0] | 0x20);
        if (first != 's' && first != 'x' && first != 'c')
        {
            return -1;
        }

        for (int i = 0; i < Hidden.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(name, Hidden[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The field name of a header line (text before ':'), or empty for a continuation or malformed line.</summary>
    public static ReadOnlySpan<byte> FieldName(ReadOnlySpan<byte> line)
    {
        if (line.Length == 0 || line[0] is (byte)' ' or (byte)'\t')
        {
            return [];
        }

        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return [];
        }

        var name = line[..colon];
        while (name.Length > 0 && name[^1] is (byte)' ' or (byte)'\t')
        {
            name = name[..^1];
        }

        return name;
    }

    /// <summary>Reads the letters of a <c>Status</c> header: R = \Seen, O = old (not recent), and what
    /// GNU mailutils keeps there too (it never reads X-Status): A = \Answered, F = \Flagged,
    /// D = \Deleted, d = \Draft; mutt's r = \Answered.</summary>
    public static MessageFlags ParseStatus(string value, out bool old)
    {
        old = false;
        var flags = MessageFlags.None;
        foreach (char c in value)
        {
            switch (c)
            {
                case 'R': flags |= MessageFlags.Seen; break;
                case 'O': old = true; break;
                case 'A' or 'r': flags |= MessageFlags.Answered; break; // mailutils A, mutt r
                case 'F': flags |= MessageFlags.Flagged; break;
                case 'D': flags |= MessageFlags.Deleted; break;
                case 'd' or 'T': flags |= MessageFlags.Draft; break; // mailutils d
            }
        }

        return flags;
    }

    /// <summary><c>X-Status</c>: A = \Answered, F = \Flagged, T = \Draft, D = \Deleted.</summary>
    public static MessageFlags ParseXStatus(string value)
    {
        var flags = MessageFlags.None;
        foreach (char c in value)
        {
            switch (c)
            {
                case 'A': flags |= MessageFlags.Answered; break;
                case 'F': flags |= MessageFlags.Flagged; break;
                case 'T': flags |= MessageFlags.Draft; break;
                case 'D': flags |= MessageFlags.Deleted; break;
            }
        }

        return flags;
    }

    public static IEnumerable<string> ParseKeywords(string value) =>
        value.Split([' ', ',', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(IsAtom);

    private static bool IsAtom(string keyword) =>
        keyword.All(c => c > ' ' && c < 127 && c is not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']'));

    /// <summary>Our headers for one message, LF line ends, in the order Dovecot writes them.</summary>
    public static byte[] Format(FlagSet flags, uint uid, bool old, (uint Validity, uint UidNext, IEnumerable<string> Keywords)? imapBase)
    {
        var text = new StringBuilder();
        if (imapBase is { } b)
        {
            text.Append("X-IMAPbase: ").Append(b.Validity).Append(' ').Append(b.UidNext.ToString("D10"));
            foreach (string keyword in b.Keywords)
            {
                text.Append(' ').Append(keyword);
            }

            text.Append('\n');
        }

        // R and O for everyone; A, F and d for GNU mailutils, which reads only Status (Dovecot,
        // UW and mutt ignore them). D is not repeated here: a stale D left by a program that
        // rewrites only one of the two headers could get a message expunged.
        string status = (flags.Has(MessageFlags.Seen) ? "R" : "") + (old ? "O" : "")
            + (flags.Has(MessageFlags.Answered) ? "A" : "") + (flags.Has(MessageFlags.Flagged) ? "F" : "")
            + (flags.Has(MessageFlags.Draft) ? "d" : "");
        if (status.Length > 0)
        {
            text.Append("Status: ").Append(status).Append('\n');
        }

        string xstatus = (flags.Has(MessageFlags.Answered) ? "A" : "") + (flags.Has(MessageFlags.Flagged) ? "F" : "")
            + (flags.Has(MessageFlags.Draft) ? "T" : "") + (flags.Has(MessageFlags.Deleted) ? "D" : "");
        if (xstatus.Length > 0)
        {
            text.Append("X-Status: ").Append(xstatus).Append('\n');
        }

        if (flags.Keywords.Count > 0)
        {
            text.Append("X-Keywords: ").Append(string.Join(' ', flags.Keywords)).Append('\n');
        }

        text.Append("X-UID: ").Append(uid).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
