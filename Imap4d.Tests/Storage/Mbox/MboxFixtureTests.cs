using System.Text.RegularExpressions;
using Imap4d.Storage;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Mailboxes written by GNU imap4d, Dovecot, mutt and (by hand) UW imapd open with their UIDs and flags.</summary>
[TestFixture]
public class MboxFixtureTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private static uint ValidityIn(string path, string header)
    {
        var match = Regex.Match(File.ReadAllText(path), "^" + header + @":\s+(\d+)", RegexOptions.Multiline);
        return uint.Parse(match.Groups[1].Value);
    }

    private static MessageFlags F(MessageFlags f) => f;

    [Test]
    public void GnuImap4dMailbox()
    {
        string path = MboxTestSupport.CopyFixture(_fixture, "gnu-imap4d.mbox");
        Assert.That(_fixture.Driver.Detect(path), Is.True);
        using var box = _fixture.Driver.Open(path, "INBOX", readOnly: true);
        Assert.That(box.UidValidity, Is.EqualTo(ValidityIn(path, "X-IMAPbase")));
        Assert.That(box.UidNext, Is.EqualTo(5u));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(box.Messages.Select(m => m.Flags.System), Is.EqualTo(new[]
        {
            F(MessageFlags.Answered | MessageFlags.Flagged),
            F(MessageFlags.Seen | MessageFlags.Draft),
            F(MessageFlags.Deleted),
            F(MessageFlags.None),
        }));
        Assert.That(box.Messages[0].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 3, 5, 9, 20, 30, TimeSpan.Zero)));
        Assert.That(MboxTestSupport.Read(box, 1), Is.EqualTo(
            "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: first\r\nDate: Tue, 5 Mar 2024 10:20:30 +0100\r\n\r\n"
            + "Hello one.\r\nFrom quoted in mboxo\r\n"));
        Assert.That(MboxTestSupport.Read(box, 4), Is.EqualTo("Subject: appended by GNU\r\n\r\nAppended body.\r\n"));
        MboxTestSupport.AssertClean(box);
    }

    [Test]
    public void DovecotMailbox()
    {
        string path = MboxTestSupport.CopyFixture(_fixture, "dovecot.mbox");
        using var box = _fixture.Driver.Open(path, "INBOX", readOnly: true);
        Assert.That(box.UidValidity, Is.EqualTo(ValidityIn(path, "X-IMAPbase")));
        Assert.That(box.UidNext, Is.EqualTo(5u));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(box.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Answered | MessageFlags.Flagged, "$Label1")));
        Assert.That(box.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Draft, "Junk")));
        Assert.That(box.Messages[2].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Deleted)));
        Assert.That(box.Messages[3].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen)));
        Assert.That(box.Messages[3].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 4, 6, 6, 0, 0, TimeSpan.Zero)));
        Assert.That(MboxTestSupport.Read(box, 4), Is.EqualTo("Subject: appended by Dovecot\r\n\r\nAppended body.\r\n"));
        Assert.That(box.Keywords, Is.EquivalentTo(new[] { "$Label1", "Junk" }));
        MboxTestSupport.AssertClean(box);
    }

    [Test]
    public void MuttMailboxWithContentLength()
    {
        string path = MboxTestSupport.CopyFixture(_fixture, "mutt.mbox");
        using var box = _fixture.Driver.Open(path, "INBOX", readOnly: true);
        Assert.That(box.UidValidity, Is.Not.Zero);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(box.Messages[0].Flags.System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Flagged));
        Assert.That(box.Messages[1].Flags.System, Is.EqualTo(MessageFlags.None));
        Assert.That(MboxTestSupport.Read(box, 1), Does.EndWith("\r\n\r\nHello one.\r\nFrom quoted in mboxo\r\n"));
        Assert.That(MboxTestSupport.Read(box, 3), Is.EqualTo("From: carol@example.org\r\nSubject: third\r\nLines: 1\r\n\r\nBody three.\r\n"), "mutt adds Lines:, which is not ours to hide");
        MboxTestSupport.AssertClean(box);
    }

    [Test]
    public void UwPseudoMessageIsSkippedAndItsUidsUsed()
    {
        string path = MboxTestSupport.CopyFixture(_fixture, "uw-pseudo.mbox");
        using (var box = _fixture.Driver.Open(path, "INBOX", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(1704448800u));
            Assert.That(box.UidNext, Is.EqualTo(8u));
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 6, 7 }));
            Assert.That(box.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Flagged, "Work")));
            Assert.That(MboxTestSupport.Read(box, 6), Is.EqualTo("Subject: kept by UW\r\n\r\nUW body.\r\n"));
            box.Store([7], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
        }

        string text = File.ReadAllText(path);
        Assert.That(text, Does.Not.Contain("FOLDER INTERNAL DATA"), "pseudo message replaced by X-IMAPbase");
        Assert.That(text, Does.Match(@"X-IMAPbase: 1704448800 0*8"));
        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        using var again = _fixture.Driver.Open(path, "INBOX", readOnly: true);
        Assert.That(again.UidValidity, Is.EqualTo(1704448800u));
        Assert.That(again.Messages.Select(m => (m.Uid, m.Flags.System)), Is.EqualTo(new[]
        {
            (6u, MessageFlags.Seen | MessageFlags.Flagged),
            (7u, MessageFlags.Answered),
        }));
    }

    [Test]
    public void ProgramMailboxesSurviveOurRewriteUnchangedForClients()
    {
        foreach (string name in new[] { "gnu-imap4d.mbox", "dovecot.mbox", "mutt.mbox", "source.mbox" })
        {
            string path = MboxTestSupport.CopyFixture(_fixture, name);
            List<(uint, FlagSet, long, string)> before;
            using (var box = _fixture.Driver.Open(path, name, readOnly: false))
            {
                before = box.Messages.Select(m => (m.Uid, m.Flags, m.Size, MboxTestSupport.Read(box, m.Uid))).ToList();
                box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
                box.Store([box.Messages[0].Uid], FlagOperation.Remove, FlagSet.Of(MessageFlags.Seen));
                box.Store([box.Messages[0].Uid], FlagOperation.Add, before[0].Item2);
                box.Checkpoint();
            }

            File.Delete(MboxTestSupport.IndexPath(_fixture, path));
            using var again = _fixture.Driver.Open(path, name, readOnly: true);
            var after = again.Messages.Select(m => (m.Uid, m.Flags, m.Size, MboxTestSupport.Read(again, m.Uid))).ToList();
            Assert.That(after, Is.EqualTo(before), name);
        }
    }
}
