using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;

namespace Imap4d.Tests.Support;

/// <summary>Replays a <see cref="TranscriptScript"/> against a session over in-memory streams.</summary>
public static class TranscriptRunner
{
    private static readonly Regex SyncLiteral = new(@"\{\d+\}$", RegexOptions.Compiled);

    /// <param name="storeType">For a script with <c>@store</c>: the mailbox format to run it on (mbox, maildir, mh).</param>
    public static async Task RunAsync(TranscriptScript script, bool byteByByte, string? storeType = null)
    {
        var (settings, users, start) = SetUp(script.Directives);
        using var mail = storeType is null ? null : new TranscriptMailStore(storeType);
        if (mail is not null && start.PreauthUser is not null)
        {
            start = start with { PreauthUser = start.PreauthUser with { Home = mail.Root } };
        }

        await using var client = new TestClient(settings, new StaticAuthenticator(users), start, byteByByte,
            storeFactory: mail is null ? null : _ => mail.NewStore());
        var captures = new Dictionary<string, string>();
        var steps = script.Steps;
        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            string where = $"{script.Name}.imap:{step.Line}";
            switch (step.Kind)
            {
                case StepKind.Send:
                    // Give the server a moment, then make sure it said nothing the script did not expect.
                    await Task.Delay(5);
                    if (client.HasUnreadOutput)
                    {
                        Assert.Fail($"{where}: unexpected server output before this command: {await client.ReadLineAsync()}");
                    }

                    client.Send(step.Text);
                    if (SyncLiteral.IsMatch(step.Text) && i + 1 < steps.Count && steps[i + 1].Kind == StepKind.Send)
                    {
                        string? go = await client.ReadLineAsync();
                        Assert.That(go, Does.StartWith("+"), $"{where}: expected a continuation request");
                    }

                    break;
                case StepKind.Expect:
                    string? line = await client.ReadLineAsync();
                    Assert.That(line, Is.Not.Null, $"{where}: server closed the connection, expected: {step.Text}");
                    Assert.That(step.Matches(line!, captures), Is.True, $"{where}: expected\n  {step.Text}\nbut got\n  {line}");
                    break;
                case StepKind.Skip:
                    var next = i + 1 < steps.Count && steps[i + 1].Kind == StepKind.Expect ? steps[i + 1] : null;
                    Assert.That(next, Is.Not.Null, $"{where}: S: ... must be followed by an S: line");
                    while (true)
                    {
                        string? skipped = await client.ReadLineAsync();
                        Assert.That(skipped, Is.Not.Null, $"{where}: server closed while skipping to: {next!.Text}");
                        if (next!.Matches(skipped!, captures))
                        {
                            break;
                        }

                        Assert.That(skipped, Does.StartWith("* "), $"{where}: a tagged line was skipped: {skipped}");
                    }

                    i++;
                    break;
                case StepKind.Eof:
                    string? eof = await client.ReadLineAsync();
                    Assert.That(eof, Is.Null, $"{where}: expected the server to close, got: {eof}");
                    Assert.That(await client.WaitForEndAsync(), Is.True, $"{where}: session still running");
                    break;
            }
        }

        client.CloseInput();
        Assert.That(await client.WaitForEndAsync(), Is.True, $"{script.Name}: session did not end");
        string? extra = await client.ReadLineAsync();
        Assert.That(extra, Is.Null, $"{script.Name}: unexpected server output after the script: {extra}");
    }

    private static (ServerSettings, (string, string)[], SessionStart) SetUp(IReadOnlyList<string> directives)
    {
        var settings = new ServerSettings();
        var limits = new ProtocolLimits();
        var users = new List<(string, string)> { ("demo", "demo") };
        UserInfo? preauth = null;
        bool testMode = false;
        foreach (string directive in directives)
        {
            string[] words = directive.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "preauth":
                    preauth = new UserInfo(words.Length > 1 ? words[1] : "demo", "/nonexistent");
                    break;
                case "test":
                    testMode = true;
                    break;
                case "store":
                    break; // the mailbox formats to run on (TranscriptTests); the store is made per run
                case "users":
                    users = words.Skip(1).Select(w => (w.Split(':')[0], w.Split(':')[1])).ToList();
                    break;
                case "set":
                    (settings, limits) = Apply(settings, limits, words[1], string.Join(' ', words.Skip(2)));
                    break;
                default:
                    throw new FormatException("unknown directive @" + directive);
            }
        }

        return (settings with { Limits = limits }, users.ToArray(), new SessionStart(preauth, testMode));
    }

    private static (ServerSettings, ProtocolLimits) Apply(ServerSettings s, ProtocolLimits l, string name, string value)
    {
        int Number() => int.Parse(value, CultureInfo.InvariantCulture);
        return name switch
        {
            "login-disabled" => (s with { LoginDisabled = value == "yes" }, l),
            "id-fields" => (s with { IdFields = value.Split(',', StringSplitOptions.RemoveEmptyEntries) }, l),
            "timeout" => (s with { IdleTimeout = TimeSpan.FromMilliseconds(Number()) }, l),
            "login-timeout" => (s with { LoginTimeout = TimeSpan.FromMilliseconds(Number()) }, l),
            "max-line-length" => (s, l with { MaxLineLength = Number() }),
            "max-literal-size" => (s, l with { MaxLiteralSize = Number() }),
            "max-append-size" => (s, l with { MaxAppendSize = Number() }),
            "max-nesting-depth" => (s, l with { MaxNestingDepth = Number() }),
            "max-bad-commands" => (s, l with { MaxBadCommands = Number() }),
            "namespace" => (s with { Namespaces = ParseNamespaces(value) }, l),
            "tls-mode" => (s with { Tls = TestCertificate.Shared.Settings(TlsSettings.ParseMode(value)) }, l),
            _ => throw new FormatException("unknown setting " + name),
        };
    }

    /// <summary>"personal:'':/ other:~:/ shared:#shared/:/" (quotes optional) → namespace settings.</summary>
    private static NamespaceSettings ParseNamespaces(string text)
    {
        var all = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(spec =>
        {
            string[] p = spec.Split(':');
            var kind = Enum.Parse<NamespaceKind>(p[0], ignoreCase: true);
            return new NamespacePrefix(kind, p[1].Trim('\''), p[2][0], "/tmp", null, null);
        }).ToList();
        return new NamespaceSettings(
            all.Where(n => n.Kind == NamespaceKind.Personal).ToList(),
            all.Where(n => n.Kind == NamespaceKind.Other).ToList(),
            all.Where(n => n.Kind == NamespaceKind.Shared).ToList());
    }
}
