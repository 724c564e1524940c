using System.Text;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;
using Imap4d.Tests.Storage.Mbox;

namespace Imap4d.Tests.Session;

/// <summary>
/// The lookups FETCH makes per message with a hint (the position after the last one found) give
/// what the plain lookups give, whatever the order of the UIDs: ascending, descending, missing,
/// with gaps left by EXPUNGE; over an mbox view (found by position) and a plain list.
/// </summary>
public class SelectedMailboxLookupTests
{
    private static IEnumerable<uint[]> Orders()
    {
        yield return [1, 2, 5, 6, 7, 8, 9, 10, 11, 12];
        yield return [12, 11, 10, 9, 8, 7, 6, 5, 2, 1];
        yield return [2, 3, 4, 5, 99, 6, 1, 6, 6, 12, 13, 0];
        var random = new Random(17);
        yield return Enumerable.Range(0, 60).Select(_ => (uint)random.Next(0, 15)).ToArray();
    }

    private static void Fill(IMailbox box)
    {
        for (int i = 1; i <= 12; i++)
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: m{i}\r\n\r\nbody {i}\r\n")), FlagSet.Empty, DateTimeOffset.UnixEpoch.AddDays(i));
        }

        box.Sync();
        box.Store([3, 4], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        box.Expunge();
    }

    private static void AssertHintedLookupsAgree(SelectedMailbox selected)
    {
        Assert.That(selected.Uids, Is.EqualTo(new uint[] { 1, 2, 5, 6, 7, 8, 9, 10, 11, 12 }));
        foreach (var order in Orders())
        {
            int messageHint = 0, sequenceHint = 0, findHint = 0;
            foreach (uint uid in order)
            {
                Assert.That(selected.Find(uid, ref findHint)?.Uid, Is.EqualTo(selected.Find(uid)?.Uid), $"Find of UID {uid}");
                var expected = selected.FindForFetch(uid);
                var found = selected.FindForFetch(uid, ref messageHint);
                Assert.That(found?.Uid, Is.EqualTo(expected?.Uid), $"message of UID {uid} in {string.Join(",", order)}");
                Assert.That(selected.SequenceOf(uid, ref sequenceHint), Is.EqualTo(selected.SequenceOf(uid)), $"sequence of UID {uid}");
            }
        }
    }

    [Test]
    public void OverAnMboxView()
    {
        using var fixture = new MboxDriverFixture();
        string path = fixture.NewPath("box");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        using (var box = fixture.Driver.Open(path, "box", readOnly: false))
        {
            Fill(box);
        }

        using var selected = new SelectedMailbox(fixture.Driver.Open(path, "box", readOnly: true));
        Assert.That(selected.Mailbox.Messages, Is.InstanceOf<IUidIndexedList>());
        AssertHintedLookupsAgree(selected);
    }

    [Test]
    public void OverAPlainList()
    {
        var driver = new MemoryDriver();
        driver.Create("/mem/box", (UnixFileMode)0x180);
        using (var box = driver.Open("/mem/box", "box", readOnly: false))
        {
            Fill(box);
        }

        using var selected = new SelectedMailbox(driver.Open("/mem/box", "box", readOnly: true));
        AssertHintedLookupsAgree(selected);
    }
}
