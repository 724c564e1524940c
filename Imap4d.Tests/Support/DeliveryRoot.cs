using System.Text;
using System.Text.RegularExpressions;
using Mono.Unix.Native;

namespace Imap4d.Tests.Support;

/// <summary>
/// A private directory with a configuration for local delivery tests: one virtual user "vu"
/// (password "secret") whose mail is of one type under HOME/mail. As root the user is uid 65534
/// (nobody), so deliveries and sessions really switch to it; otherwise it is the current user.
/// </summary>
public sealed class DeliveryRoot : IDisposable
{
    public const string User = "vu";
    public const string Password = "secret";

    public DeliveryRoot(string type, string extraConfig = "")
    {
        Type = type;
        Root = Path.Combine(Path.GetTempPath(), $"imap4d-deliver-{type}-{Guid.NewGuid():N}");
        Home = Path.Combine(Root, "home", User);
        Mail = Path.Combine(Home, "mail");
        Directory.CreateDirectory(Mail);
        Syscall.chmod(Root, (FilePermissions)0x1ed); // 0755: the user must reach its home and the filters
        bool root = Syscall.geteuid() == 0;
        Uid = root ? 65534 : Syscall.getuid();
        Gid = root ? 65534 : Syscall.getgid();
        var (code, hash) = ExternalProgram.Run("openssl", ["passwd", "-6", "-salt", "deliverytest", Password]);
        Assert.That(code, Is.Zero, hash);
        File.WriteAllText(Path.Combine(Root, "users"), $"{User}:{hash.Trim()}:{Uid}:{Gid}::{Home}:/bin/false\n");
        WriteConfig(extraConfig);
        if (root)
        {
            foreach (string path in new[] { Home, Mail })
            {
                Syscall.chown(path, Uid, Gid);
            }
        }
    }

    public string Type { get; }

    public string Root { get; }

    public string Home { get; }

    public string Mail { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    public string Config => Path.Combine(Root, "imap4d.conf");

    public void WriteConfig(string extraConfig) => File.WriteAllText(Config, $$"""
        logging { syslog no; severity info; };
        virtual-users { file "{{Root}}/users"; };
        mailbox { mailbox-pattern "{{Type}}://{{Mail}}/INBOX"; };
        namespace personal { prefix "" { directory "{{Mail}}"; delimiter "/"; mailbox-type {{Type}}; }; };
        {{extraConfig}}
        """);

    /// <summary>Runs `imap4d --deliver ARGS` with <paramref name="message"/> on standard input.</summary>
    public (int Code, string Stdout, string Stderr) Deliver(string message, params string[] args) =>
        ServerProcess.Run(message, ["--config-file=" + Config, "--deliver", .. args]);

    /// <summary>Runs `imap4d --lmtp` on a pipe with <paramref name="script"/> as the client's side.</summary>
    public (int Code, string Stdout, string Stderr) Lmtp(string script) =>
        ServerProcess.Run(script, "--config-file=" + Config, "--lmtp");

    /// <summary>A directory every user may write in (filters run as the user).</summary>
    public string Shared()
    {
        string path = Path.Combine(Root, "shared");
        Directory.CreateDirectory(path);
        Syscall.chmod(path, (FilePermissions)0x1ff);
        return path;
    }

    /// <summary>A script (run without a shell by imap4d; /bin/sh interprets it) in the root, executable by all.</summary>
    public string Script(string name, string body)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        Syscall.chmod(path, (FilePermissions)0x1ed);
        return path;
    }

    /// <summary>The raw messages of a mailbox, read from the files without any imap4d code (nothing written).</summary>
    public List<string> Messages(string folder = "INBOX")
    {
        string path = Path.Combine(Mail, folder);
        switch (Type)
        {
            case "mbox":
                if (!File.Exists(path))
                {
                    return [];
                }

                string text = File.ReadAllText(path).Replace("\r\n", "\n");
                return Regex.Split("\n" + text, "\nFrom [^\n]*\n").Skip(1)
                    .Where(m => !m.Contains("DON'T DELETE THIS MESSAGE", StringComparison.Ordinal)).ToList();
            case "maildir":
                return new[] { "new", "cur" }.Select(d => Path.Combine(path, d)).Where(Directory.Exists)
                    .SelectMany(Directory.GetFiles).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
            default:
                return Directory.Exists(path)
                    ? Directory.GetFiles(path).Where(f => Regex.IsMatch(Path.GetFileName(f), "^[0-9]+$"))
                        .OrderBy(f => int.Parse(Path.GetFileName(f))).Select(File.ReadAllText).ToList()
                    : [];
        }
    }

    public static string Message(string subject, string body = "Hello.\n", string extraHeaders = "") =>
        $"From: sender@example.org\nTo: vu@example.org\nSubject: {subject}\nMessage-ID: <{Guid.NewGuid():N}@example.org>\n{extraHeaders}\n{body}";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
