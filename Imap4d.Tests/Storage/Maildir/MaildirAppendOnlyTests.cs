using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// A delivery appends through an append-only object that reads the UID list's header and last
/// lines only (<see cref="MaildirUidList.TryReadEnds"/>), not every assignment and the index.
/// </summary>
public class MaildirAppendOnlyTests : MaildirBoxTestBase
{
    private static uint Append(IMailbox box, string subject) =>
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\nBody of {subject}.\r\n")), FlagSet.Empty, Date);

    private string UidListPath => Path.Combine(_path, MaildirUidList.FileName);

    /// <summary>Descriptors of this process open on the UID list (the list holds the file it read last).</summary>
    private int HeldUidLists() =>
        new DirectoryInfo("/proc/self/fd").GetFiles().Count(f =>
        {
            try
            {
                return f.LinkTarget is { } target && target.StartsWith(UidListPath, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // closed meanwhile
            }
        });

    [Test]
    public void TheUidListsFileIsHeldWhileAnObjectUsesItAndClosedAfter()
    {
        int before = HeldUidLists();
        using (var first = _driver.Open(_path, "box", readOnly: false))
        {
            Append(first, "m1");
            Assert.That(HeldUidLists(), Is.EqualTo(before + 1), "one for the process's shared state");
            using (var second = _driver.Open(_path, "box", readOnly: false))
            {
                Append(second, "m2");
                Assert.That(HeldUidLists(), Is.EqualTo(before + 1), "shared with the second object");
            }

            using (var target = _driver.OpenForAppend(_path, "box"))
            {
                Append(target, "m3");
                Assert.That(HeldUidLists(), Is.EqualTo(before + 2), "an append-only object has its own");
            }

            Assert.That(HeldUidLists(), Is.EqualTo(before + 1), "closed with the append-only object");
        }

        Assert.That(HeldUidLists(), Is.EqualTo(before), "closed with the last object of the state");
    }

    [Test]
    public void DeliveriesNumberOnFromTheEndOfALongUidListAndAFullOpenSeesThemAll()
    {
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            for (int i = 1; i <= 300; i++)
            {
                Append(box, "m" + i);
            }
        }

        Assert.That(new FileInfo(UidListPath).Length, Is.GreaterThan(2 * 4096), "the list is longer than the part read");
        var delivered = new List<uint>();
        for (int i = 0; i < 3; i++)
        {
            using var target = _driver.OpenForAppend(_path, "box");
            delivered.Add(Append(target, "delivered" + i));
        }

        Assert.That(delivered, Is.EqualTo(new uint[] { 301, 302, 303 }));
        using var full = _driver.Open(_path, "box", readOnly: false);
        Assert.That(full.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, 303).Select(i => (uint)i)));
        Assert.That(full.UidNext, Is.EqualTo(304u));
        using var content = new StreamReader(full.OpenContent(302));
        Assert.That(content.ReadToEnd(), Does.Contain("Subject: delivered1"));
    }

    [Test]
    public void TheEndsGiveUidValidityAndTheNextUidAndIgnoreATornLastLine()
    {
        File.WriteAllText(UidListPath, "1 V1234 N5\n5 a\n6 b\n" + string.Concat(Enumerable.Range(7, 400).Select(u => $"{u} key{u}\n")) + "407 torn");
        var list = new MaildirUidList();

        Assert.That(list.TryReadEnds(_path), Is.True);
        Assert.That(list.UidValidity, Is.EqualTo(1234u));
        Assert.That(list.UidNext, Is.EqualTo(407u), "an append that never finished names no UID");
    }

    [Test]
    public void AShortListIsReadFromItsHeaderAndTheHeaderAloneIsEnough()
    {
        File.WriteAllText(UidListPath, "1 V77 N9\n");
        var list = new MaildirUidList();
        Assert.That(list.TryReadEnds(_path), Is.True);
        Assert.That((list.UidValidity, list.UidNext), Is.EqualTo((77u, 9u)));

        File.WriteAllText(UidListPath, "1 V77 N9\n3 a\n12 b\n");
        list = new MaildirUidList();
        Assert.That(list.TryReadEnds(_path), Is.True);
        Assert.That(list.UidNext, Is.EqualTo(13u));
    }

    [TestCase("")]
    [TestCase("garbage\n1 a\n")]
    [TestCase("1 V7 N2\nnot a line\n")]
    public void EndsThatDoNotParseLeaveItToTheFullRead(string text)
    {
        File.WriteAllText(UidListPath, text);
        Assert.That(new MaildirUidList().TryReadEnds(_path), Is.False);
    }

    [Test]
    public void AFullRefreshAfterTheEndsReadsEveryAssignment()
    {
        File.WriteAllText(UidListPath, "1 V1 N1\n" + string.Concat(Enumerable.Range(1, 500).Select(u => $"{u} key{u}\n")));
        var list = new MaildirUidList();
        Assert.That(list.TryReadEnds(_path), Is.True);
        Assert.That(list.Uids, Is.Empty);

        Assert.That(list.Refresh(_path), Is.EqualTo(MaildirUidList.State.Ok));
        Assert.That(list.Uids, Has.Count.EqualTo(500));
        Assert.That(list.Uids["key1"], Is.EqualTo(1u));
        Assert.That(list.UidNext, Is.EqualTo(501u));
    }
}
