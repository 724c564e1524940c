using System.Diagnostics;
using Imap4d.Tests.Integration.Differential;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Mailbox names the daemon must refuse without creating anything: names that are not valid
/// modified UTF-7 (RFC 3501 §5.1.3; Dovecot answers NO to each of them too) and names whose
/// path would pass PATH_MAX or NAME_MAX (Dovecot: "NO [CANNOT] Mailbox name too long"). The
/// session goes on after each refusal.
/// </summary>
[Category("Integration")]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class MailboxNameTests(string type)
{
    private string _home = "";
    private string _mail = "";
    private ImapPeer _peer = null!;

    [SetUp]
    public void SetUp()
    {
        _home = Path.Combine(Path.GetTempPath(), $"imap4d-names-{type}-{Guid.NewGuid():N}");
        _mail = Path.Combine(_home, "mail");
        Directory.CreateDirectory(_mail);
        string config = Path.Combine(_home, "imap4d.conf");
        File.WriteAllText(config, $$"""
            logging { syslog no; severity error; };
            mailbox { mailbox-pattern "{{type}}://{{_mail}}/INBOX"; };
            namespace personal { prefix "" { directory "{{_mail}}"; delimiter "/"; mailbox-type {{type}}; }; };
            """);
        var info = new ProcessStartInfo(RepoPaths.Executable);
        foreach (string arg in new[] { "--test", "--preauth", "--config-file=" + config })
        {
            info.ArgumentList.Add(arg);
        }

        _peer = new ImapPeer("imap4d", info);
        Assert.That(_peer.Command("CREATE \"x\"").Status, Does.StartWith("OK"));
    }

    [TearDown]
    public void TearDown()
    {
        _peer.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private string[] Entries() =>
        Directory.EnumerateFileSystemEntries(_mail).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal).ToArray()!;

    [TestCase("&", Description = "lone ampersand")]
    [TestCase("a&b", Description = "& not followed by base64 and -")]
    [TestCase("&ZeVnLA", Description = "unterminated shift")]
    [TestCase("&AGE-", Description = "shifted printable ASCII")]
    [TestCase("&AOQ-&AOQ-", Description = "two shifted runs in a row (not minimal)")]
    [TestCase("&AOR-", Description = "non-zero padding bits")]
    [TestCase("&2D0-", Description = "lone surrogate")]
    [TestCase("caf\u00e9", Description = "raw 8-bit (UTF-8)")]
    [TestCase("ok/&Jjo", Description = "bad last component")]
    public void InvalidModifiedUtf7IsRefusedAndNothingIsCreated(string name)
    {
        var before = Entries();
        Assert.That(_peer.Command($"CREATE \"{name}\"").Status, Does.StartWith("NO [CANNOT]"));
        Assert.That(_peer.Command($"RENAME \"x\" \"{name}\"").Status, Does.StartWith("NO [CANNOT]"));
        Assert.That(_peer.Command($"APPEND \"{name}\" ", "Subject: t\r\n\r\nx\r\n"u8.ToArray()).Status, Does.StartWith("NO [CANNOT]"),
            "no TRYCREATE for a name CREATE refuses");
        Assert.That(_peer.Command("SELECT \"x\"").Status, Does.StartWith("OK"));
        Assert.That(_peer.Command($"COPY 1:* \"{name}\"").Status, Does.StartWith("NO [CANNOT]"));
        Assert.That(Entries(), Is.EqualTo(before), "nothing on disk");
        Assert.That(_peer.Command("NOOP").Status, Does.StartWith("OK"));
    }

    [TestCase("&AOQ-")]
    [TestCase("&-")]
    [TestCase("&2D3eAA-")]
    [TestCase("&AOQA5A-")]
    [TestCase("&AOQ-&-x")]
    [TestCase("Entw&APw-rfe/&ZeVnLIqe-")]
    public void ValidModifiedUtf7IsCreated(string name)
    {
        Assert.That(_peer.Command($"CREATE \"{name}\"").Status, Does.StartWith("OK"));
        Assert.That(_peer.Command($"APPEND \"{name}\" ", "Subject: t\r\n\r\nx\r\n"u8.ToArray()).Status, Does.StartWith("OK"));
        Assert.That(_peer.Command($"RENAME \"{name}\" \"{name}2\"").Status, Does.StartWith("OK"));
    }

    [Test]
    public void NamesPastPathMaxOrNameMaxGetCannotAndTheSessionGoesOn()
    {
        string deep = string.Join('/', Enumerable.Repeat("a", 2000));
        string deeper = string.Join('/', Enumerable.Repeat("a", 20000));
        string wide = new('b', 300);
        foreach (string name in new[] { deep, deeper, wide, "ok/" + wide })
        {
            foreach (string command in new[]
                     {
                         $"CREATE \"{name}\"", $"SELECT \"{name}\"", $"EXAMINE \"{name}\"", $"STATUS \"{name}\" (MESSAGES)",
                         $"DELETE \"{name}\"", $"RENAME \"x\" \"{name}\"", $"SUBSCRIBE \"{name}\"",
                     })
            {
                var (_, status) = _peer.Command(command);
                Assert.That(status, Does.StartWith("NO [CANNOT] Mailbox name too long"), command[..20]);
            }

            Assert.That(_peer.Command($"APPEND \"{name}\" ", "Subject: t\r\n\r\nx\r\n"u8.ToArray()).Status,
                Does.StartWith("NO [CANNOT] Mailbox name too long"));
            Assert.That(_peer.Command("NOOP").Status, Does.StartWith("OK"), "the session goes on");
        }

        Assert.That(Entries(), Is.EqualTo(new[] { "x" }).Or.EqualTo(new[] { "INBOX", "x" }));
        string longest = string.Join('/', Enumerable.Repeat("c", 1000));
        Assert.That(_peer.Command($"CREATE \"{longest}\"").Status, Does.StartWith("OK"), "a deep name within the limits still works");
        Assert.That(_peer.Command($"APPEND \"{longest}\" ", "Subject: t\r\n\r\nx\r\n"u8.ToArray()).Status, Does.StartWith("OK"));
        Assert.That(_peer.Command($"CREATE \"{new string('d', 200)}\"").Status, Does.StartWith("OK"));
    }
}
