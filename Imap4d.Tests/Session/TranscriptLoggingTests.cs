using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>The `transcript` log shows the dialogue but never passwords or literal payloads.</summary>
public class TranscriptLoggingTests
{
    [Test]
    public async Task PasswordsAndLiteralsAreMasked()
    {
        var lines = new List<string>();
        await using (var client = new TestClient(transcript: lines))
        {
            await client.ReadLineAsync();
            client.Send("1 LOGIN demo wrongsecret");
            await client.ReadLineAsync();
            client.Send("2 LOGIN {4+}");
            client.Send("demo {4+}");
            client.Send("demo");
            await client.ReadLineAsync();
            client.Send("3 LOGOUT");
            await client.ReadLineAsync();
            await client.ReadLineAsync();
        }

        string all = string.Join("\n", lines);
        TestContext.Out.WriteLine(all);
        Assert.That(all, Does.Not.Contain("wrongsecret"));
        Assert.That(lines, Does.Contain("C: 1 LOGIN demo ***"));
        Assert.That(lines, Does.Contain("C: 2 LOGIN {4} ***"));
        Assert.That(lines, Does.Contain("S: * OK IMAP4rev1"));
        Assert.That(lines, Does.Contain("S: 1 NO [AUTHENTICATIONFAILED] Authentication failed"));
        Assert.That(lines, Does.Contain("S: 3 OK LOGOUT Completed"));
    }

    [Test]
    public async Task AuthenticateResponsesAreMasked()
    {
        var lines = new List<string>();
        await using (var client = new TestClient(transcript: lines))
        {
            await client.ReadLineAsync();
            client.Send("1 AUTHENTICATE PLAIN AGRlbW8AZGVtbw==");
            await client.ReadLineAsync();
        }

        await using (var client = new TestClient(transcript: lines))
        {
            await client.ReadLineAsync();
            client.Send("1 AUTHENTICATE PLAIN");
            await client.ReadLineAsync();
            client.Send("AGRlbW8AZGVtbw==");
            await client.ReadLineAsync();
        }

        Assert.That(string.Join("\n", lines), Does.Not.Contain("AGRlbW8AZGVtbw=="));
        Assert.That(lines, Does.Contain("C: 1 AUTHENTICATE PLAIN ***"));
        Assert.That(lines, Does.Contain("C: <response hidden>"));
    }
}
