using System.Text;
using Imap4d.Storage.Mbox;

namespace Imap4d.Storage.Mh;

/// <summary>
/// GNU mailutils keeps the flags of an MH message in a <c>Status:</c> header inside its file (the
/// letters of mbox: R seen, A answered, F flagged, D deleted, d draft) and keeps no unseen
/// sequence. We keep MH flags in <c>.mh_sequences</c> as nmh, mutt and Claws do. When we first
/// meet a folder mailutils kept (it has <c>.mu-prop</c>), those headers are the flags its users
/// set: they are carried into the sequences once, so that GNU imap4d's users keep them.
/// </summary>
internal static class MailutilsMhFlags
{
    /// <summary>How much of a file is read looking for the header; a header block larger than this is left alone.</summary>
    private const int HeaderLimit = 64 * 1024;

    /// <summary>
    /// The flags the <c>Status:</c> and <c>X-Status:</c> headers of the message file at
    /// <paramref name="path"/> give, or null when it has neither (or cannot be read).
    /// </summary>
    public static MessageFlags? Read(string path)
    {
        byte[] buffer;
        int length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            buffer = new byte[(int)Math.Min(HeaderLimit, Math.Max(0, stream.Length))];
            length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        MessageFlags? flags = null;
        int start = 0;
        while (start < length)
        {
            int end = Array.IndexOf(buffer, (byte)'\n', start, length - start);
            int lineEnd = end < 0 ? length : end;
            var line = buffer.AsSpan(start, lineEnd - start).TrimEnd((byte)'\r');
            if (line.IsEmpty)
            {
                break;
            }

            if (StartsWithName(line, "Status:"u8))
            {
                flags = (flags ?? MessageFlags.None) | MboxHeaders.ParseStatus(Encoding.Latin1.GetString(line[7..]).Trim(), out _);
            }
            else if (StartsWithName(line, "X-Status:"u8))
            {
                flags = (flags ?? MessageFlags.None) | MboxHeaders.ParseXStatus(Encoding.Latin1.GetString(line[9..]).Trim());
            }

            if (end < 0)
            {
                break;
            }

            start = end + 1;
        }

        return flags;
    }

    /// <summary>
    /// Puts the flags of <paramref name="statusFlags"/> (by message number; null where a file has no
    /// such header) into <paramref name="sequences"/>; true when a sequence changed. Nothing happens
    /// when no file has the header (GNU imap4d adds it to every message it opens). Unless the folder
    /// already keeps an unseen sequence, \Seen takes mailutils' meaning: only a message whose
    /// header has R is seen, one without the header is new.
    /// </summary>
    public static bool CarryInto(MhSequences sequences, IReadOnlyDictionary<int, MessageFlags?> statusFlags)
    {
        if (statusFlags.Values.All(f => f is null))
        {
            // No file carries the header: mailutils' MH tools made the folder, GNU imap4d never
            // kept flags in it; the sequences say all there is.
            return false;
        }

        bool keepsUnseen = sequences.Contains(MhFlagMap.Unseen);
        var none = (IReadOnlyList<(string Name, IReadOnlySet<int> Numbers)>)[];
        bool changed = false;
        foreach (var (number, found) in statusFlags)
        {
            if (found is null && keepsUnseen)
            {
                continue;
            }

            var flags = found ?? MessageFlags.None;
            var current = MhFlagMap.Read(sequences, none, number, FlagSet.Empty);
            var system = current.System | flags;
            if (!keepsUnseen && !flags.HasFlag(MessageFlags.Seen))
            {
                system &= ~MessageFlags.Seen;
            }

            changed |= MhFlagMap.Write(sequences, number, current, new FlagSet(system, current.Keywords));
        }

        return changed;
    }

    private static bool StartsWithName(ReadOnlySpan<byte> line, ReadOnlySpan<byte> name) =>
        line.Length >= name.Length && Ascii.EqualsIgnoreCase(line[..name.Length], name);
}
