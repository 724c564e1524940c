using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>Maildirs written by Dovecot and GNU mailutils (Fixtures/maildir/README.md): we must keep their UIDs.</summary>
public class MaildirFixtureTests
{
    private MaildirDriverFixture _fixture = null!;
    private readonly MaildirDriver _driver = new();

    [SetUp]
    public void SetUp() => _fixture = new MaildirDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    /// <summary>Copies a fixture to a private directory, adding the empty directories git does not keep.</summary>
    private string CopyFixture(string name)
    {
        string source = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "maildir", name);
        string target = _fixture.NewPath(name);
        foreach (string dir in Directory.GetDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            string copy = Path.Combine(target, Path.GetRelativePath(source, dir));
            Directory.CreateDirectory(copy);
            foreach (string file in Directory.GetFiles(dir))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            if (dir == source || File.Exists(Path.Combine(dir, "maildirfolder")))
            {
                foreach (string sub in new[] { "cur", "new", "tmp" })
                {
                    Directory.CreateDirectory(Path.Combine(copy, sub));
                }
            }
        }

        return target;
    }

    private static string Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Encoding.UTF8.GetString(copy.ToArray());
    }

    [Test]
    public void DovecotMaildirKeepsDovecotsUidsFlagsAndKeywords()
    {
        string path = CopyFixture("dovecot");
        Assert.That(_driver.Detect(path), Is.True);
        using (var box = _driver.Open(path, "INBOX", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(1795321192u), "V from dovecot-uidlist");
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 5 }),
                "Dovecot's UIDs; 4 was expunged; the file movemail delivered to new/ gets N5");
            Assert.That(box.UidNext, Is.EqualTo(6u));
            Assert.That(box.RecentUids, Is.EquivalentTo(new uint[] { 5 }), "only the delivery is new to IMAP");
            Assert.That(box.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen)));
            Assert.That(box.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Flagged, "$Label1", "Work")));
            Assert.That(box.Messages[2].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "Todo")));
            Assert.That(box.Messages[3].Flags, Is.EqualTo(FlagSet.Empty));
            Assert.That(box.Keywords, Is.EquivalentTo(new[] { "$Label1", "Work", "Todo" }));
            Assert.That(box.Messages.Select(m => m.Size), Is.EqualTo(new long[] { 55, 66, 66, 87 }), "W= as Dovecot reported RFC822.SIZE");
            Assert.That(Read(box, 1), Is.EqualTo("From: alice@example.org\r\nSubject: first\r\n\r\nHello one.\r\n"));
            Assert.That(Read(box, 2), Is.EqualTo("From: bob@example.org\r\nSubject: second\r\n\r\nLine two.\r\nFrom quoted\r\n"));
            Assert.That(Read(box, 3), Is.EqualTo("From: carol@example.org\r\nSubject: third\r\n\r\nThird body, no flags.\r\n"));
            Assert.That(Read(box, 5), Does.StartWith("From: erin@example.org\r\nSubject: fifth, delivered\r\n\r\n"));

            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered, "Todo"));
        }

        string first = Directory.GetFiles(Path.Combine(path, "cur"), "1795321191.M595653P27588.vm*").Single();
        Assert.That(Path.GetFileName(first), Is.EqualTo("1795321191.M595653P27588.vm,S=51,W=55:2,RSc"),
            "Dovecot's letter for Todo reused, base name kept");
        Assert.That(Directory.GetFiles(Path.Combine(path, "new")), Is.Empty);
        Assert.That(File.ReadAllText(Path.Combine(path, "dovecot-uidlist")), Does.StartWith("3 V1795321192 N5 "), "Dovecot's list untouched");

        using var again = _driver.Open(path, "INBOX", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 5 }));
        Assert.That(again.RecentUids, Is.Empty);
    }

    [Test]
    public void DovecotSubfolderIsAMaildirPlusPlusFolder()
    {
        string path = CopyFixture("dovecot");
        var folders = MaildirLayout.Enumerate(path, MaildirLayoutStyle.MaildirPlusPlus);
        Assert.That(folders.Select(f => (f.Name, f.Selectable)), Is.EqualTo(new[] { ("INBOX", true), ("Sub", true) }));
        using var sub = _driver.Open(folders[1].Path, "Sub", readOnly: true);
        Assert.That(sub.UidValidity, Is.EqualTo(1795321191u));
        Assert.That(sub.Messages, Is.Empty);
    }

    [Test]
    public void MailutilsMaildirKeepsMailutilsUidsAndFlags()
    {
        string path = CopyFixture("mailutils");
        using (var box = _driver.Open(path, "INBOX", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(1795321145u), "uid-validity from .mu-prop");
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }), ",u= in the names");
            Assert.That(box.UidNext, Is.EqualTo(4u));
            Assert.That(box.Messages.Select(m => m.Flags.System), Is.EqualTo(new[]
            {
                MessageFlags.Flagged | MessageFlags.Seen,
                MessageFlags.Answered | MessageFlags.Deleted,
                MessageFlags.None,
            }));
            Assert.That(box.Messages.Select(m => m.Size), Is.EqualTo(new long[] { 114, 138, 115 }), "RFC822.SIZE as GNU imap4d reported it");
            Assert.That(Read(box, 2), Does.Contain("Subject: second\r\n").And.EndsWith("Line two.\r\nFrom quoted\r\nBody end.\r\n"));
            Assert.That(Read(box, 3), Does.EndWith("\r\n\r\nThird body.\r\n"));
            Assert.That(box.RecentUids, Is.Empty);

            box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 2 }));
            Assert.That(box.Append(new MemoryStream("Subject: new\r\n\r\nx\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow), Is.EqualTo(4u));
        }

        Assert.That(Directory.GetFiles(Path.Combine(path, "cur")).Select(Path.GetFileName),
            Has.One.EqualTo("1795321145.M691959P26431Q2.vm,a=O,u=3:2,S"), "mailutils' fields kept");
        using var again = _driver.Open(path, "INBOX", readOnly: true);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3, 4 }));
    }
}
