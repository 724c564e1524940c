using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The real binary, in a fresh <c>--test --preauth</c> process, when another program removes a
/// message file during the session. The AOT binary read errno twice after the failed rename or
/// open (through a conversion call that reset it) and answered
/// <c>NO [UNAVAILABLE] Mailbox operation failed (rename: 0)</c>, and for an MH folder without
/// <c>.mh_sequences</c> <c>Cannot access mailbox (open .mh_sequences: 0)</c>.
/// </summary>
[Category("Integration")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class ForeignRemovalTests(string type)
{
    private string _dir = null!;
    private string _inbox = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"imap4d-removal-{type}-{Guid.NewGuid():N}");
        _inbox = Path.Combine(_dir, "INBOX");
        if (type == "maildir")
        {
            foreach (string sub in new[] { "cur", "new", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(_inbox, sub));
            }

            for (int i = 1; i <= 3; i++)
            {
                File.WriteAllText(Path.Combine(_inbox, "cur", $"100{i}.M1P1.host:2,"), $"From: a@b\nSubject: m{i}\n\nbody {i}\n");
            }
        }
        else
        {
            Directory.CreateDirectory(_inbox);
            for (int i = 1; i <= 3; i++)
            {
                File.WriteAllText(Path.Combine(_inbox, i.ToString()), $"From: a@b\nSubject: m{i}\n\nbody {i}\n");
            }
        }

        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog false; };
            namespace personal { prefix "" { directory "{{_dir}}"; delimiter "/"; mailbox-type "{{type}}"; }; };
            mailbox { mailbox-type {{type}}; mailbox-pattern "{{type}}://{{_inbox}}"; };
            """);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void AMessageRemovedUnderneathIsExpungedNotAFailure()
    {
        using var server = ServerProcess.Start("--test", "--preauth", "--config-file=" + _config);
        var input = server.Process.StandardInput.BaseStream;
        var output = new StreamReader(server.Process.StandardOutput.BaseStream, Encoding.Latin1);
        List<string> Command(string tag, string command)
        {
            input.Write(Encoding.ASCII.GetBytes(tag + " " + command + "\r\n"));
            input.Flush();
            var lines = new List<string>();
            string? line;
            while ((line = output.ReadLine()) is not null)
            {
                lines.Add(line);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return lines;
                }
            }

            throw new EndOfStreamException(string.Join("\n", lines));
        }

        output.ReadLine();
        Assert.That(Command("a", "SELECT INBOX"), Has.Some.EqualTo("* 3 EXISTS"));
        string second = type == "maildir"
            ? Directory.GetFiles(Path.Combine(_inbox, "cur"), "1002.*").Single()
            : Path.Combine(_inbox, "2");
        File.Delete(second);

        var stored = Command("b", "STORE 2 +FLAGS (\\Seen)");
        var noop = Command("c", "NOOP");
        string transcript = string.Join("\n", stored.Concat(noop));
        Assert.That(stored[^1], Does.StartWith("b OK").Or.StartWith("b NO [EXPUNGEISSUED]"), transcript);
        Assert.That(stored.Concat(noop), Has.Some.EqualTo("* 2 EXPUNGE"), transcript);
        Assert.That(Command("d", "FETCH 2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"), Has.Some.Contains("Subject: m3"));
        Command("z", "LOGOUT");
    }
}
