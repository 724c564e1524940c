using Imap4d.Storage.Maildir;
using Mono.Unix.Native;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// <see cref="MaildirUidList"/> as read by several processes: each keeps its own copy and reads
/// only the appended tail of the file it read last. A rewrite (temporary file + rename) by another
/// process must never be taken for that file, even when the new file has the old one's inode number
/// (ext4 hands a freed inode out again at once: two rewrites in a row usually alternate between two).
/// On a file system that does not reuse inode numbers so soon these tests pass without the fix too.
/// </summary>
[NonParallelizable]
public class MaildirUidListTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "uidlist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private long InodeNow() =>
        Syscall.stat(Path.Combine(_dir, MaildirUidList.FileName), out Stat st) == 0 ? (long)st.st_ino : -1;

    private static List<(uint Uid, string Key)> Lines(uint from, uint to, string prefix) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => ((uint)i, $"{prefix}{i}.M{i * 7919}P42")).ToList();

    /// <summary>
    /// The stress failure (50 clients, several user processes): a process that missed a compaction
    /// saw the file of the one after it under the inode number it knew, read on from its old
    /// offset, in the middle of a line, and answered "UID list corrupt" with a new UIDVALIDITY.
    /// </summary>
    [Test]
    public void AReaderThatMissedARewriteIsNotFooledByAReusedInode()
    {
        var writer = new MaildirUidList();
        writer.Rewrite(_dir, 1000, 41, Lines(1, 40, "a"));
        var reader = new MaildirUidList();
        Assert.That(reader.Refresh(_dir), Is.EqualTo(MaildirUidList.State.Ok));
        Assert.That(reader.Uids, Has.Count.EqualTo(40));
        long seen = InodeNow();

        // Other processes: compactions (each a new file) until one lands on the inode the reader knows
        // (without the reader holding its file, ext4 does so at the second). It must not matter.
        uint next = 41;
        bool reused = false;
        for (int round = 0; round < 40 && !reused; round++)
        {
            var live = Lines(next - 3, next - 1, "b").ToList();
            writer.Rewrite(_dir, 1000, next, live);
            reused = InodeNow() == seen;
        }


        // New assignments after the compaction, until the file is longer than what the reader read.
        var added = new List<(uint Uid, string Key)>();
        while (new FileInfo(Path.Combine(_dir, MaildirUidList.FileName)).Length < 40 * 30 + 100)
        {
            var line = (next, $"c{next}.M{next}P7");
            writer.Append(_dir, [line]);
            added.Add(line);
            next++;
        }

        Assert.That(reader.Refresh(_dir), Is.EqualTo(MaildirUidList.State.Ok));
        Assert.That(reader.UidValidity, Is.EqualTo(1000u));
        var fresh = new MaildirUidList();
        Assert.That(fresh.Refresh(_dir), Is.EqualTo(MaildirUidList.State.Ok));
        Assert.That(reader.Uids, Is.EquivalentTo(fresh.Uids), "the reader knows what a fresh read knows");
        Assert.That(reader.UidNext, Is.EqualTo(fresh.UidNext));
        foreach (var (uid, key) in added)
        {
            Assert.That(reader.Uids[key], Is.EqualTo(uid));
        }
    }

    /// <summary>The same for the ends-only read of a delivery (<see cref="MaildirUidList.TryReadEnds"/>).</summary>
    [Test]
    public void AnEndsOnlyReaderThatMissedARewriteIsNotFooledByAReusedInode()
    {
        var writer = new MaildirUidList();
        writer.Rewrite(_dir, 1000, 41, Lines(1, 40, "a"));
        var reader = new MaildirUidList();
        Assert.That(reader.TryReadEnds(_dir), Is.True);
        Assert.That(reader.UidNext, Is.EqualTo(41u));
        long seen = InodeNow();

        uint next = 41;
        bool reused = false;
        for (int round = 0; round < 40 && !reused; round++)
        {
            writer.Rewrite(_dir, 1000, next, Lines(next - 3, next - 1, "b"));
            reused = InodeNow() == seen;
        }


        while (new FileInfo(Path.Combine(_dir, MaildirUidList.FileName)).Length < 40 * 30 + 100)
        {
            writer.Append(_dir, [(next, $"c{next}.M{next}P7")]);
            next++;
        }

        Assert.That(reader.TryReadEnds(_dir), Is.True);
        Assert.That(reader.UidValidity, Is.EqualTo(1000u));
        Assert.That(reader.UidNext, Is.EqualTo(next));
    }

    /// <summary>A real corruption is still reported as one (the mailbox then gets a new UIDVALIDITY).</summary>
    [Test]
    public void AGarbledListIsStillCorrupt()
    {
        File.WriteAllText(Path.Combine(_dir, MaildirUidList.FileName), "1 V1000 N3\n1 a\nnot-a-line\n");
        Assert.That(new MaildirUidList().Refresh(_dir), Is.EqualTo(MaildirUidList.State.Corrupt));
        File.WriteAllText(Path.Combine(_dir, MaildirUidList.FileName), "garbage\n1 a\n");
        Assert.That(new MaildirUidList().Refresh(_dir), Is.EqualTo(MaildirUidList.State.Corrupt));
    }
}
