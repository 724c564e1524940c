using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>
/// No mailbox name may reach outside its namespace directory: "..", absolute names and
/// symlinks leading out get NO for every command that takes a mailbox name.
/// </summary>
public class PathEscapeTests
{
    private string _root = null!;
    private string _home = null!;
    private string _outside = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imap4d-escape-" + Guid.NewGuid().ToString("N"));
        _home = Path.Combine(_root, "home");
        _outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(_home, "mail"));
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret"), "From x\nSubject: secret\n\nsecret\n");
        Directory.CreateSymbolicLink(Path.Combine(_home, "mail", "evil"), _outside);
        File.CreateSymbolicLink(Path.Combine(_home, "mail", "evilfile"), Path.Combine(_outside, "secret"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore(IMailboxDriver driver)
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", null, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = "$home/mail/INBOX" },
        };
        return new MailStore(settings, "demo", _home, [driver], _ => null);
    }

    public static readonly string[] EscapingNames =
    [
        "../outside/secret", "a/../../outside", "..", "/etc/passwd", "evil/secret", "evil", "evilfile", "a//b", "./x", "x/.",
    ];

    [TestCaseSource(nameof(EscapingNames))]
    public void ResolveRefusesNamesLeavingTheNamespace(string name)
    {
        var store = NewStore(new MemoryDriver());
        var e = Assert.Throws<StorageException>(() => store.Resolve(name));
        Assert.That(e!.Error, Is.EqualTo(StorageError.NoPermission));
    }

    [Test]
    public void OrdinaryNamesResolveInsideTheNamespace()
    {
        var store = NewStore(new MemoryDriver());
        Assert.That(store.Resolve("Sent").FileSystemPath, Is.EqualTo(Path.Combine(_home, "mail", "Sent")));
        Assert.That(store.Resolve("a/b/c").FileSystemPath, Is.EqualTo(Path.Combine(_home, "mail", "a", "b", "c")));
        Assert.That(store.Resolve("inbox").FileSystemPath, Is.EqualTo(Path.Combine(_home, "mail", "INBOX")));
    }

    public static IEnumerable<string> CommandsWithNames()
    {
        foreach (string name in EscapingNames)
        {
            string quoted = "\"" + name + "\"";
            yield return $"SELECT {quoted}";
            yield return $"EXAMINE {quoted}";
            yield return $"CREATE {quoted}";
            yield return $"DELETE {quoted}";
            yield return $"RENAME {quoted} fine";
            yield return $"RENAME INBOX {quoted}";
            yield return $"SUBSCRIBE {quoted}";
            yield return $"STATUS {quoted} (MESSAGES)";
            yield return $"APPEND {quoted} {{5+}}\r\nHello";
            yield return $"SELECT INBOX\r\nc2 COPY 1:* {quoted}";
            yield return $"SELECT INBOX\r\nc2 MOVE 1:* {quoted}";
        }
    }

    [TestCase("LIST \"../outside/\" \"*\"")]
    [TestCase("LIST \"\" \"../outside/*\"")]
    [TestCase("LIST \"\" \"evil/*\"")]
    [TestCase("LIST \"\" \"*\"")]
    [TestCase("LSUB \"../\" \"*\"")]
    [TestCase("UNSUBSCRIBE \"../outside/secret\"")]
    public async Task ListingAndUnsubscribingNeverReachOutside(string command)
    {
        var store = NewStore(new MemoryDriver());
        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", _home), false), storeFactory: _ => store);
        await client.ReadLineAsync();
        var lines = await client.CommandAsync("l", command);
        Assert.That(lines.Where(l => l.Contains("secret") || l.Contains("outside") || l.Contains("evil")), Is.Empty, string.Join("\n", lines));
        Assert.That(lines[^1], Does.StartWith("l OK").Or.StartWith("l NO").Or.StartWith("l BAD"));
        Assert.That(File.Exists(Path.Combine(_home, ".mailboxlist")), Is.False);
    }

    [TestCaseSource(nameof(CommandsWithNames))]
    public async Task EveryCommandRefusesEscapingNames(string command)
    {
        var driver = new MemoryDriver();
        var store = NewStore(driver);
        driver.Create(Path.Combine(_home, "mail", "INBOX"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var inbox = store.Open("INBOX", readOnly: false))
        {
            inbox.Append(new MemoryStream("Subject: x\r\n\r\nx\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.Now);
        }

        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", _home), false), storeFactory: _ => store);
        await client.ReadLineAsync();
        string tag = command.Contains("\r\nc2 ") ? "c2" : "c1";
        client.Send("c1 " + command);
        string last;
        do
        {
            last = await client.ReadLineAsync() ?? "";
        }
        while (!last.StartsWith(tag + " ", StringComparison.Ordinal));

        Assert.That(last, Does.StartWith(tag + " NO").Or.StartWith(tag + " BAD"), command);
        Assert.That(File.ReadAllText(Path.Combine(_outside, "secret")), Does.Contain("secret"));
        Assert.That(Directory.EnumerateFileSystemEntries(_outside).Count(), Is.EqualTo(1), "nothing created outside");
        Assert.That(File.Exists(Path.Combine(_home, ".mailboxlist")) && File.ReadAllText(Path.Combine(_home, ".mailboxlist")).Contains(".."), Is.False);
    }
}
