using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// The sessions of one process share one state per maildir (entries, UID list, stamps) and, while
/// in step, their views' rows; each still sees the others' changes only at its own sync.
/// </summary>
[NonParallelizable]
public class MaildirSharedStateTests : MaildirBoxTestBase
{
    private void Deliver(int count)
    {
        for (int i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(_path, "cur", $"{1_700_000_000 + i}.M{i}P1Q1.host:2,"), $"Subject: {i}\n\nbody {i}\n");
        }
    }

    [Test]
    public void SearchAllMakesNoMessageInfoPerMessage()
    {
        const int count = 4000;
        Deliver(count);
        using var selected = new Imap4d.Session.SelectedMailbox(_driver.Open(_path, "box", readOnly: false));
        var all = Imap4d.Commands.Search.SearchProgram.Compile(new Imap4d.Commands.Search.AllKey());
        Assert.That(all.Run(selected, CancellationToken.None), Has.Count.EqualTo(count));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var hits = all.Run(selected, CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(hits.Select(h => h.Uid), Is.EqualTo(Enumerable.Range(1, count).Select(i => (uint)i)));
        // The hits list alone is about 64 KB; a MessageInfo (with its date and size getters) per message is several times that.
        Assert.That(allocated, Is.LessThan(count * 40L), $"allocated {allocated} bytes");
    }

    [Test]
    public void ASecondOpenOfABigMaildirHoldsNoMemoryPerMessage()
    {
        const int count = 5000;
        Deliver(count);
        int before = MaildirMailbox.SharedStates;
        using var first = _driver.Open(_path, "box", readOnly: false);
        Assert.That(MaildirMailbox.SharedStates, Is.EqualTo(before + 1));
        Assert.That(first.Messages, Has.Count.EqualTo(count));

        long start = GC.GetTotalMemory(true);
        var second = _driver.Open(_path, "box", readOnly: false);
        Assert.That(second.Messages, Has.Count.EqualTo(count));
        long grown = GC.GetTotalMemory(true) - start;
        // Each object kept its own entries, names and view: about 400 bytes per message.
        Assert.That(grown, Is.LessThan(count * 40L), $"grew {grown} bytes");
        Assert.That(MaildirMailbox.SharedStates, Is.EqualTo(before + 1));
        Assert.That(second.Messages, Is.InstanceOf<IUidIndexedList>());

        second.Dispose();
        Assert.That(MaildirMailbox.SharedStates, Is.EqualTo(before + 1), "still used by the first");
        first.Dispose();
        Assert.That(MaildirMailbox.SharedStates, Is.EqualTo(before), "forgotten with its last user");
    }

    [Test]
    public void AnotherSessionsStoreReachesAViewOnlyAtItsSync()
    {
        using var a = _driver.Open(_path, "box", readOnly: false);
        a.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nx\r\n")), FlagSet.Empty, Date);
        a.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: y\r\n\r\ny\r\n")), FlagSet.Empty, Date);
        a.Sync();
        using var b = _driver.Open(_path, "box", readOnly: false);
        var viewOfB = b.Messages;
        ulong modSeq = viewOfB[0].ModSeq;
        Assert.That(viewOfB[0].Flags.Has(MessageFlags.Flagged), Is.False);

        a.Store([viewOfB[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));

        // The entries are shared, the view is not changed in place: B's client has not been told yet.
        Assert.That(b.Messages, Is.SameAs(viewOfB));
        Assert.That(viewOfB[0].Flags.Has(MessageFlags.Flagged), Is.False);
        Assert.That(viewOfB[0].ModSeq, Is.EqualTo(modSeq));

        var changes = b.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new[] { viewOfB[0].Uid }));
        Assert.That(b.Messages[0].Flags.Has(MessageFlags.Flagged), Is.True);
        Assert.That(b.Messages[0].ModSeq, Is.GreaterThan(modSeq));
        Assert.That(viewOfB[0].Flags.Has(MessageFlags.Flagged), Is.False, "an old view stays as it was");
        Assert.That(b.Messages[1].Flags, Is.EqualTo(viewOfB[1].Flags));
    }

    [Test]
    public void AnExpungeByOneSessionLeavesTheOthersViewUntilItsSync()
    {
        using var a = _driver.Open(_path, "box", readOnly: false);
        uint uid = a.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nx\r\n")), FlagSet.Of(MessageFlags.Deleted), Date);
        a.Sync();
        using var b = _driver.Open(_path, "box", readOnly: false);
        Assert.That(b.Messages.Select(m => m.Uid), Is.EqualTo(new[] { uid }));

        Assert.That(a.Expunge(), Is.EqualTo(new[] { uid }));
        Assert.That(b.Messages.Select(m => m.Uid), Is.EqualTo(new[] { uid }));
        Assert.That(b.Messages[0].InternalDate, Is.EqualTo(Date), "facts known before the expunge stay");

        Assert.That(b.Sync().Expunged, Is.EqualTo(new[] { uid }));
        Assert.That(b.Messages, Is.Empty);
    }
}
