using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// What the way the executable is built (NativeAOT, trimmed; or ReadyToRun) must not change:
/// readable framework messages, and the native helper library found beside the binary when it
/// is started through the symbolic link `make install` makes, and session processes that are
/// this same executable (under NativeAOT the native binary, never a `dotnet` host).
/// </summary>
[Category("Integration")]
public class PublishedBinaryTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"imap4d-published-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void FrameworkErrorsReachTheLogAsTextNotAsResourceKeys()
    {
        int port = ServerProcess.FreePort();
        string pidFile = Path.Combine(_dir, "missing", "imap4d.pid");
        string conf = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(conf, $"mode daemon;\nforeground yes;\npidfile \"{pidFile}\";\nserver 127.0.0.1:{port} {{ single-process yes; }};\n");

        var (code, _, stderr) = ServerProcess.Run("", "--config-file=" + conf);

        Assert.That(code, Is.EqualTo(73), "EX_CANTCREAT: " + stderr);
        Assert.That(stderr, Does.Contain($"cannot write the pid file {pidFile}: Could not find a part of the path"));
        Assert.That(stderr, Does.Not.Contain("IO_PathNotFound"));
    }

    [Test]
    public void MhMailboxesWorkWhenStartedThroughASymlinkAsInstalled()
    {
        // MH storage calls libMonoPosixHelper.so, which must load from beside the real binary.
        string sbin = Path.Combine(_dir, "sbin");
        Directory.CreateDirectory(sbin);
        string link = Path.Combine(sbin, "imap4d");
        File.CreateSymbolicLink(link, Path.GetFullPath(RepoPaths.Executable));
        string mail = Path.Combine(_dir, "mail");
        Directory.CreateDirectory(mail);
        string conf = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(conf, $$"""
            mailbox { mailbox-pattern "mh://{{_dir}}/inbox"; };
            namespace personal { prefix "" { directory "{{mail}}"; delimiter "/"; mailbox-type mh; }; };
            """);

        var (code, output) = ExternalProgram.Run(link, ["--test", "--preauth", "--config-file=" + conf],
            stdin: "1 CREATE box\r\n2 APPEND box (\\Flagged) {7+}\r\nhello\r\n\r\n3 STATUS box (MESSAGES)\r\n4 LOGOUT\r\n",
            timeout: TimeSpan.FromSeconds(30));

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Match(@"1 OK (\[MAILBOXID \(\w+\)\] )?CREATE"));
        Assert.That(output, Does.Contain("* STATUS box (MESSAGES 1)"));
        Assert.That(File.ReadAllText(Path.Combine(mail, "box", ".mh_sequences")), Does.Contain("flagged: 1"));
    }

    [Test]
    public void SessionProcessesRunThisSameExecutable()
    {
        int port = ServerProcess.FreePort();
        DemoDaemonTests.WriteDemo(_dir, port, extra: "logging { severity debug; };\nprestart-children 1;\n");
        string conf = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("single-process yes;", "single-process no;"));
        using var server = ServerProcess.Start("--config-file=" + conf);
        server.WaitForPort(port);
        // The first prestarted process served WaitForPort's probe and ended; its replacement waits.
        var ready = new Regex("prestarted child (\\d+) ready");
        int child = 0;
        Assert.That(ProcTable.WaitUntil(() =>
        {
            child = ready.Matches(server.Stderr).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).LastOrDefault(ProcTable.IsAlive);
            return child != 0;
        }, TimeSpan.FromSeconds(30)), Is.True, "a waiting prestarted session process: " + server.Stderr);

        string daemon = new FileInfo($"/proc/{server.Process.Id}/exe").LinkTarget!;
        var executable = new FileInfo(Path.GetFullPath(RepoPaths.Executable));
        Assert.That(daemon, Is.EqualTo(executable.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? executable.FullName));
        // With the login process (the default), prestarted processes only ever serve logged-in
        // users: they run the fixed-address post-login build when `make` built one beside the daemon.
        string postLogin = Path.Combine(Path.GetDirectoryName(daemon)!, "imap4d-session");
        string expected = File.Exists(postLogin) ? postLogin : daemon;
        Assert.That(new FileInfo($"/proc/{child}/exe").LinkTarget, Is.EqualTo(expected));
        Assert.That(File.ReadAllText($"/proc/{child}/cmdline").Split('\0')[0], Is.EqualTo(expected), "argv[0]");
    }

    /// <summary>
    /// The daemon and the login process read strangers' bytes: they stay position-independent
    /// (full address-space randomisation); only the post-login build is linked at a fixed address.
    /// </summary>
    [Test]
    public void OnlyThePostLoginBuildIsLinkedAtAFixedAddress()
    {
        string daemon = Path.GetFullPath(RepoPaths.Executable);
        daemon = new FileInfo(daemon).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? daemon;
        string postLogin = Path.Combine(Path.GetDirectoryName(daemon)!, "imap4d-session");
        if (!File.Exists(postLogin) || ElfType(daemon) is not (ElfDynamic or ElfExecutable))
        {
            Assert.Ignore("no post-login build beside " + daemon + " (JIT, ReadyToRun, PIE=no or SESSION_BIN=no)");
        }

        Assert.That(ElfType(daemon), Is.EqualTo(ElfDynamic), "the daemon is a PIE");
        Assert.That(ElfType(postLogin), Is.EqualTo(ElfExecutable), "imap4d-session is linked at a fixed address");
    }

    private const int ElfExecutable = 2;
    private const int ElfDynamic = 3;

    /// <summary>e_type of an ELF file (2 fixed-address executable, 3 shared object or PIE), or -1.</summary>
    private static int ElfType(string path)
    {
        byte[] header = new byte[18];
        using var file = File.OpenRead(path);
        if (file.Read(header, 0, header.Length) < header.Length || header[0] != 0x7f || header[1] != (byte)'E')
        {
            return -1;
        }

        return header[16] | (header[17] << 8);
    }
}
