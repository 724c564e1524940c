using Imap4d.Native;
using Imap4d.Storage.Index;

namespace Imap4d.Storage.Quota;

/// <summary>
/// The message count and size of each mailbox a quota root holds, kept between commands: a
/// mailbox is asked again (its index, see STATUS SIZE) only when a stat of its file or
/// directories shows a change, so a quota check costs a stat or three per mailbox.
/// </summary>
public sealed class MailboxUsage
{
    private readonly Dictionary<string, (Stamp Stamp, long Messages, long Bytes)> _known = new(StringComparer.Ordinal);

    private readonly record struct Stamp(SourceStamp Self, SourceStamp Cur, SourceStamp New);

    /// <summary>The usage of the mailbox at <paramref name="fileSystemPath"/>, from <paramref name="count"/> when it changed.</summary>
    public (long Messages, long Bytes) Of(string fileSystemPath, Func<(long Messages, long Bytes)> count)
    {
        var stamp = StampOf(fileSystemPath);
        if (_known.TryGetValue(fileSystemPath, out var known) && known.Stamp == stamp)
        {
            return (known.Messages, known.Bytes);
        }

        var usage = count();
        long now = CoarseClock.NowNs();
        if (stamp.Self.IsSettledAt(now) && stamp.Cur.IsSettledAt(now) && stamp.New.IsSettledAt(now))
        {
            _known[fileSystemPath] = (stamp, usage.Messages, usage.Bytes); // a stamp still moving could hide the next change
        }
        else
        {
            _known.Remove(fileSystemPath);
        }

        return usage;
    }

    /// <summary>Forgets what is known of a mailbox (this session changed it).</summary>
    public void Forget(string fileSystemPath) => _known.Remove(fileSystemPath);

    private static Stamp StampOf(string path)
    {
        var self = SourceStamp.Of(path);
        // A maildir's messages come and go in cur/ and new/, whose changes its own mtime does not show.
        return Directory.Exists(Path.Combine(path, "cur"))
            ? new Stamp(self, SourceStamp.Of(Path.Combine(path, "cur")), SourceStamp.Of(Path.Combine(path, "new")))
            : new Stamp(self, SourceStamp.None, SourceStamp.None);
    }
}
