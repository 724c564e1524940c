using System.Diagnostics;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Delivery;

/// <summary>
/// The `filter` block on real deliveries: the folder from the first output line, flags and
/// keywords from the rest, and every kind of failure falling back to INBOX unfiltered.
/// </summary>
[Category("Integration")]
public class DeliveryFilterTests
{
    [Test]
    public void FirstLineNamesTheFolderAndTheRestSetFlagsAndKeywords()
    {
        using var root = new DeliveryRoot("maildir");
        string filter = root.Script("filter", "cat >/dev/null; echo Lists/Work; echo '\\Flagged $Label1'; echo Important");
        root.WriteConfig($"filter {{ command \"{filter} {{account_name}}\"; }};");
        var result = root.Deliver(DeliveryRoot.Message("filtered"), DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(root.Messages(), Is.Empty);
        string file = Directory.GetFiles(Path.Combine(root.Mail, "Lists", "Work", "cur")).Single();
        Assert.That(File.ReadAllText(file), Does.Contain("Subject: filtered"));
        Assert.That(Path.GetFileName(file), Does.Match(":2,[a-z]*F"), "\\Flagged in the maildir info");
        var keywords = File.ReadAllText(Directory.GetFiles(Path.Combine(root.Mail, "Lists", "Work"), "dovecot-keywords").Concat(
            Directory.GetFiles(Path.Combine(root.Mail, "Lists", "Work"), "*keyword*")).First());
        Assert.That(keywords, Does.Contain("$Label1").And.Contain("Important"));
    }

    [Test]
    public void TheFilterReadsTheMessageAndItsArgumentsAreExpanded()
    {
        using var root = new DeliveryRoot("mbox");
        string seen = Path.Combine(root.Shared(), "seen");
        string filter = root.Script("filter", $"printf '%s|' \"$@\" > {seen}; grep -c '^Subject: read me' >> {seen}; echo");
        root.WriteConfig($"filter {{ command \"{filter} {{account_name}} --from={{sender}} {{msg_id}} {{unknown}}\"; }};");
        var result = root.Deliver(DeliveryRoot.Message("read me", extraHeaders: ""), "-f", "s@example.org", DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        string text = File.ReadAllText(seen);
        Assert.That(text, Does.Match(@"^vu\|--from=s@example.org\|<[0-9a-f]+@example.org>\|\{unknown\}\|1\n$"));
        Assert.That(root.Messages(), Has.Count.EqualTo(1), "empty output: INBOX");
    }

    [TestCase("a;rm -rf x")]
    [TestCase("$(touch pwned)")]
    [TestCase("`touch pwned` x\" y' {account_name}")]
    public void PlaceholderValuesNeverReachAShell(string sender)
    {
        using var root = new DeliveryRoot("mbox");
        string shared = root.Shared();
        string seen = Path.Combine(shared, "seen");
        Directory.CreateDirectory(Path.Combine(shared, "x"));
        string filter = root.Script("filter", $"cd {shared}; printf '%s\\n' \"$#\" \"$1\" > {seen}; cat >/dev/null");
        root.WriteConfig($"filter {{ command \"{filter} {{sender}}\"; }};");
        var result = root.Deliver(DeliveryRoot.Message("inject"), "-f", sender, DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(File.ReadAllText(seen), Is.EqualTo($"1\n{sender}\n"), "one argument, byte for byte");
        Assert.That(File.Exists(Path.Combine(shared, "pwned")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(shared, "x")), Is.True);
        Assert.That(root.Messages(), Has.Count.EqualTo(1));
    }

    [Test]
    public void PlaceholderInTheProgramNameIsNotExpanded()
    {
        using var root = new DeliveryRoot("mbox");
        root.WriteConfig("filter { command \"{sender}\"; };");
        var result = root.Deliver(DeliveryRoot.Message("no program"), "-f", "/bin/false", DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(root.Messages(), Has.Count.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("delivering unfiltered"));
    }

    [TestCase("sleep 30; echo Spam", "killed after")]
    [TestCase("cat >/dev/null; echo Spam; exit 3", "exited with status 3")]
    [TestCase("cat >/dev/null; printf 'Spam\\n\\\\Bogus\\n'", "is no flag")]
    [TestCase("cat >/dev/null; printf 'Sp\\001am\\n'", "no folder name")]
    [TestCase("cat >/dev/null; printf '\\377\\376\\n'", "not UTF-8")]
    [TestCase("exec /nonexistent/program", "exited with status")]
    public void FailingFiltersDeliverToInboxUnfiltered(string body, string logged)
    {
        using var root = new DeliveryRoot("maildir");
        string filter = root.Script("filter", body);
        root.WriteConfig($"filter {{ command \"{filter}\"; timeout 1; }};");
        var clock = Stopwatch.StartNew();
        var result = root.Deliver(DeliveryRoot.Message("kept"), DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(root.Messages().Single(), Does.Contain("Subject: kept"));
        Assert.That(Directory.Exists(Path.Combine(root.Mail, "Spam")), Is.False);
        Assert.That(result.Stderr, Does.Contain(logged).And.Contain("delivering unfiltered"));
    }

    [Test]
    public void QuarantinedMessageGoesToTheJunkFolderWithoutRunningTheFilter()
    {
        using var root = new DeliveryRoot("mh");
        string ran = Path.Combine(root.Shared(), "ran");
        string filter = root.Script("filter", $"touch {ran}; echo Other");
        root.WriteConfig($"filter {{ command \"{filter}\"; }};");
        var result = root.Deliver(DeliveryRoot.Message("spam", extraHeaders: "X-Spam-Flag: YES\n"), DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(root.Messages("Junk").Single(), Does.Contain("Subject: spam"));
        Assert.That(File.Exists(ran), Is.False);

        // The folder is \Junk for IMAP clients.
        using var session = ServerProcess.Start("--test", "--config-file=" + root.Config);
        Assert.That(session.Process.StandardOutput.ReadLine(), Does.StartWith("* OK"));
        session.Process.StandardInput.Write($"a LOGIN {DeliveryRoot.User} {DeliveryRoot.Password}\r\nb LIST \"\" Junk\r\nc LOGOUT\r\n");
        session.Process.StandardInput.Flush();
        string list = DeliverCommandTests.ReadUntil(session.Process.StandardOutput, "b ");
        Assert.That(list, Does.Contain("\\Junk"), list);
    }

    [Test]
    public void ConfiguredJunkFolderAndQuarantineHeaderAreUsed()
    {
        using var root = new DeliveryRoot("maildir");
        root.WriteConfig("special-use Spam \"\\\\Junk\"; filter { quarantine-header \"X-Verdict: bad\"; };");
        Assert.That(root.Deliver(DeliveryRoot.Message("bad one", extraHeaders: "X-Verdict:   BAD \n"), DeliveryRoot.User).Code, Is.Zero);
        Assert.That(root.Deliver(DeliveryRoot.Message("flagged", extraHeaders: "X-Spam-Flag: YES\n"), DeliveryRoot.User).Code, Is.Zero);
        Assert.That(root.Messages("Spam").Single(), Does.Contain("Subject: bad one"));
        Assert.That(root.Messages().Single(), Does.Contain("Subject: flagged"), "the default header no longer applies");
    }

    [Test]
    public void UserCommandFileReplacesTheGlobalFilter()
    {
        using var root = new DeliveryRoot("mbox");
        string global = root.Script("global", "cat >/dev/null; echo Global");
        string own = root.Script("own", "cat >/dev/null; echo Mine");
        root.WriteConfig($"filter {{ command \"{global}\"; user-command-file \".imap4d-filter\"; }};");
        File.WriteAllText(Path.Combine(root.Home, ".imap4d-filter"), $"# my filter\n{own} {{sender}}\n");
        Assert.That(root.Deliver(DeliveryRoot.Message("mine"), DeliveryRoot.User).Code, Is.Zero);
        Assert.That(root.Messages("Mine").Single(), Does.Contain("Subject: mine"));
        Assert.That(root.Messages("Global"), Is.Empty);
    }
}
