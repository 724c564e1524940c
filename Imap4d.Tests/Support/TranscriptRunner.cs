using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Support;

/// <summary>Replays a <see cref="TranscriptScript"/> against a session over in-memory streams.</summary>
public static class TranscriptRunner
{
    private static readonly Regex SyncLiteral = new(@"\{\d+\}$", RegexOptions.Compiled);

    /// <param name="storeType">With <c>@store</c>: the mailbox type of the temporary mail store (mbox, maildir, mh).</param>
    public static async Task RunAsync(TranscriptScript script, bool byteByByte, string? storeType = null)
    {
        // "@store memory": an in-memory store filled by @create/@append; "@store mbox maildir mh":
        // a temporary store of each type in turn; "@mailstore": a preauthenticated session on an
        // empty in-memory store with a FETCH cache (the script APPENDs its messages).
        bool memory = storeType == "memory";
        bool mailstore = script.Directives.Contains("mailstore");
        using var store = storeType is null || memory ? null : new TranscriptMailStore(storeType);
        var (settings, users, start) = SetUp(script.Directives, store);
        using var mail = memory ? MailOf(script.Directives)
            : mailstore ? new MemoryMailStore("transcript", withFetchCache: true) : null;
        if (mailstore)
        {
            start = new SessionStart(new UserInfo("demo", mail!.Root), false);
        }

        await using var client = new TestClient(settings, new StaticAuthenticator(users), start, byteByByte,
            storeFactory: mail is not null ? _ => mail.Store : store is null ? null : user => store.For(settings, user));
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

                    // ${name} in a client line is a value captured from an earlier server line.
                    client.Send(Regex.Replace(step.Text, @"\$\{(\w+)\}", m => captures.TryGetValue(m.Groups[1].Value, out string? v) ? v : m.Value));
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

    /// <summary>
    /// <c>@store memory</c>: the user gets an in-memory store (INBOX empty); <c>@create NAME</c> adds a
    /// mailbox, <c>@append NAME FLAGS SUBJECT...</c> a message ("-" for no flags, else comma-separated).
    /// Messages are dated 2026-01-0N in the order appended.
    /// </summary>
    private static MemoryMailStore? MailOf(IReadOnlyList<string> directives)
    {
        MemoryMailStore? mail = null;
        int appended = 0;
        foreach (string directive in directives)
        {
            string[] words = directive.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "store":
                    mail = new MemoryMailStore("transcript");
                    break;
                case "create":
                    mail!.Driver.Create(Path.Combine(mail.Root, words[1]), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    break;
                case "append":
                    var names = words[2] == "-" ? Array.Empty<string>() : words[2].Split(',');
                    var system = names.Select(Imap4d.Storage.FlagSet.SystemFlagOf).Aggregate(Imap4d.Storage.MessageFlags.None, (a, b) => a | b);
                    var flags = Imap4d.Storage.FlagSet.Of(system, names.Where(n => !n.StartsWith('\\')).ToArray());
                    string subject = string.Join(' ', words.Skip(3));
                    appended++;
                    mail!.Append(words[1], $"Subject: {subject}\r\nFrom: a@example.org\r\n\r\nMessage {appended}\r\n", flags,
                        new DateTimeOffset(2026, 1, Math.Min(appended, 28), 12, 0, 0, TimeSpan.Zero));
                    break;
            }
        }

        return mail;
    }

    private static (ServerSettings, (string, string)[], SessionStart) SetUp(IReadOnlyList<string> directives, TranscriptMailStore? store)
    {
        var settings = store?.Settings ?? new ServerSettings();
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
                    string user = words.Length > 1 ? words[1] : "demo";
                    preauth = new UserInfo(user, store?.HomeOf(user) ?? "/nonexistent");
                    break;
                case "test":
                    testMode = true;
                    break;
                case "mailstore":
                    break;
                case "users":
                    users = words.Skip(1).Select(w => (w.Split(':')[0], w.Split(':')[1])).ToList();
                    break;
                case "set":
                    (settings, limits) = Apply(settings, limits, words[1], string.Join(' ', words.Skip(2)));
                    break;
                case "store" or "create" or "append":
                    break; // the store types are run one by one (TranscriptScript.StoreTypes); memory's are filled by MailOf
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
            "quota" => (s with { Quota = AddQuotaRoot(s.Quota, value) }, l),
            _ => throw new FormatException("unknown setting " + name),
        };
    }

    /// <summary>"ROOT STORAGE-BYTES MESSAGES" ("" for the root "", - for no limit): one more quota root; the file system's quota is left out.</summary>
    private static QuotaSettings AddQuotaRoot(QuotaSettings quota, string text)
    {
        string[] p = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long? Limit(string v) => v == "-" ? null : long.Parse(v, CultureInfo.InvariantCulture);
        var roots = new Dictionary<string, QuotaLimits>(quota.Roots) { [p[0].Trim('"')] = new QuotaLimits(Limit(p[1]), Limit(p[2])) };
        return quota with { Roots = roots, FileSystem = false };
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

/// <summary>
/// The mail store of a transcript with <c>@store</c>: a temporary directory with a home per user
/// (personal namespace "", INBOX there, new mailboxes of the given type), other users' homes
/// under "~" and a shared namespace "#shared/".
/// </summary>
public sealed class TranscriptMailStore : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"imap4d-transcript-{Guid.NewGuid():N}");

    public TranscriptMailStore(string type)
    {
        Directory.CreateDirectory(Path.Combine(_root, "shared"));
        Settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home", null, null)],
                [new NamespacePrefix(NamespaceKind.Other, "~", '/', _root + "/home/$user", null, null)],
                [new NamespacePrefix(NamespaceKind.Shared, "#shared/", '/', _root + "/shared", null, null)]),
            Mailbox = new MailboxSettings { MailboxPattern = "$home/INBOX", MailboxType = type },
        };
    }

    public ServerSettings Settings { get; }

    public string HomeOf(string user)
    {
        string home = Path.Combine(_root, "home", user);
        Directory.CreateDirectory(home);
        return home;
    }

    public IMailStore For(ServerSettings settings, UserInfo user) =>
        new MailStore(settings, user.Name, user.Home,
            MailDrivers.CreateDefault(Imap4d.Storage.State.UserStateDirectory.For(null, user.Name, user.Home)), HomeOf);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a session still closing; the temporary directory is left
        }
    }
}
