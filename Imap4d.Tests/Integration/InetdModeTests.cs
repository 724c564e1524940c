using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>The built executable in inetd mode over pipes, as inetd would run it.</summary>
[Category("Integration")]
public class InetdModeTests
{
    [Test]
    public void TestModePreauthAnswersOverPipes()
    {
        var (code, stdout, stderr) = ServerProcess.Run(
            "1 CAPABILITY\r\n2 NAMESPACE\r\n3 ID NIL\r\n4 LOGOUT\r\n",
            "--test", "--preauth", "--no-config");
        Assert.That(code, Is.EqualTo(0), stderr);
        string[] lines = stdout.Split("\r\n");
        Assert.That(lines[0], Is.EqualTo("* PREAUTH IMAP4rev1 Test mode"));
        Assert.That(lines[1], Is.EqualTo("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ " + AdvertisedExtensions.InOrder));
        Assert.That(lines[2], Is.EqualTo("1 OK CAPABILITY Completed"));
        Assert.That(lines[3], Is.EqualTo("* NAMESPACE ((\"\" \"/\")) NIL NIL"));
        Assert.That(lines[4], Is.EqualTo("2 OK NAMESPACE Completed"));
        Assert.That(lines[5], Does.StartWith("* ID (\"name\" \"imap4d\" \"version\" "));
        Assert.That(lines[6], Is.EqualTo("3 OK ID Completed"));
        Assert.That(lines[7], Is.EqualTo("* BYE Session terminating."));
        Assert.That(lines[8], Is.EqualTo("4 OK LOGOUT Completed"));
        Assert.That(lines[9], Is.Empty, "nothing after LOGOUT");
        Assert.That(stdout, Does.Not.Contain("imap4d:"), "log lines must never reach stdout");
    }

    /// <summary>
    /// Plays systemd (ListenStream=/path, Accept=yes) or a harness with a socketpair: imap4d gets
    /// an AF_UNIX stream socket as fds 0 and 1; the script is its client, then prints the exit code.
    /// </summary>
    private const string UnixSocketHarness = """
        import os, socket, sys, tempfile
        mode, commands, argv = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
        if mode == "listen":
            path = os.path.join(tempfile.mkdtemp(), "imap4d.sock")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(1)
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(path)
            served, _ = server.accept()
            server.close()
        else:
            client, served = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            client.close()
            os.dup2(served.fileno(), 0)
            os.dup2(served.fileno(), 1)
            served.close()
            os.execv(argv[0], argv)
        served.close()
        client.settimeout(20)
        client.sendall(commands)
        out = b""
        while True:
            chunk = client.recv(65536)
            if not chunk:
                break
            out += chunk
        sys.stdout.write(out.decode("utf-8", "replace"))
        _, status = os.waitpid(pid, 0)
        print("exit %d" % os.waitstatus_to_exitcode(status))
        """;

    [TestCase("listen")]
    [TestCase("socketpair")]
    public void UnixDomainSocketAsStdinIsServed(string mode)
    {
        // Socket options such as TCP_NODELAY apply to TCP only: on AF_UNIX they fail with EOPNOTSUPP.
        var (code, output) = ExternalProgram.Run("python3",
            ["-c", UnixSocketHarness, mode, "1 CAPABILITY\r\n2 LOGOUT\r\n", RepoPaths.Executable, "-i", "--test", "--preauth", "--no-config"]);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.StartWith("* PREAUTH IMAP4rev1 Test mode\r\n"), output);
        Assert.That(output, Does.Contain("1 OK CAPABILITY Completed\r\n"));
        Assert.That(output, Does.Contain("2 OK LOGOUT Completed\r\n"));
        Assert.That(output, Does.Contain("exit 0\n").And.Not.Contain("fatal error"), output);

        // Without --preauth: the normal greeting and the connection checks, on a unix socket.
        (code, output) = ExternalProgram.Run("python3",
            ["-c", UnixSocketHarness, mode, "1 NOOP\r\n2 LOGOUT\r\n", RepoPaths.Executable, "-i", "--no-config"]);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.StartWith("* OK "), output);
        Assert.That(output, Does.Contain("2 OK LOGOUT Completed\r\n"));
        Assert.That(output, Does.Contain("exit 0\n").And.Not.Contain("fatal error"), output);
    }

    [Test]
    public void TestModeGreetsWithoutPreauth()
    {
        var (code, stdout, _) = ServerProcess.Run("1 LOGOUT\r\n", "--test", "--no-config");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.StartWith("* OK IMAP4rev1 Test mode\r\n"));
    }

    [Test]
    public void EndOfInputEndsTheSessionQuietly()
    {
        var (code, stdout, _) = ServerProcess.Run("1 NOOP\r\n", "--test", "--no-config");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Is.EqualTo("* OK IMAP4rev1 Test mode\r\n1 OK NOOP Completed\r\n"));
    }

    /// <summary>
    /// A 1 MB line, a 64 MB line, a {99999999999} literal and 10,000 nested parentheses each get
    /// a clean BAD, the session goes on, and the process's peak memory stays far below the input.
    /// </summary>
    [Test]
    public void HostileInputGetsBadWithBoundedMemory()
    {
        using var server = ServerProcess.Start("--test", "--preauth", "--no-config");
        var input = server.Process.StandardInput.BaseStream;
        var output = new StreamReader(server.Process.StandardOutput.BaseStream, Encoding.Latin1);
        Assert.That(output.ReadLine(), Is.EqualTo("* PREAUTH IMAP4rev1 Test mode"));

        SendLongLine(input, "a1 NOOP ", 1 << 20);
        Assert.That(output.ReadLine(), Is.EqualTo("a1 BAD Command line too long"));

        SendLongLine(input, "a2 NOOP ", 64 << 20);
        Assert.That(output.ReadLine(), Is.EqualTo("a2 BAD Command line too long"));

        Send(input, "a3 LOGIN {99999999999}\r\n");
        Assert.That(output.ReadLine(), Is.EqualTo("a3 BAD [TOOBIG] Literal too large"));

        Send(input, "a4 NOOP " + new string('(', 10_000) + new string(')', 10_000) + "\r\n");
        Assert.That(output.ReadLine(), Is.EqualTo("a4 BAD Too deeply nested"));

        Send(input, "a5 NOOP\r\n");
        Assert.That(output.ReadLine(), Is.EqualTo("a5 OK NOOP Completed"));

        long peakKb = PeakResidentKb(server.Process.Id);
        TestContext.Out.WriteLine($"peak RSS after hostile input: {peakKb} kB");
        Assert.That(peakKb, Is.LessThan(160 * 1024), "memory must not grow with the size of a line");

        Send(input, "a6 LOGOUT\r\n");
        Assert.That(output.ReadLine(), Is.EqualTo("* BYE Session terminating."));
        Assert.That(output.ReadLine(), Is.EqualTo("a6 OK LOGOUT Completed"));
        Assert.That(server.Process.WaitForExit(10_000), Is.True);
    }

    [Test]
    public void NonSynchronizingLiteralTooLargeIsBye()
    {
        var (code, stdout, _) = ServerProcess.Run("a1 LOGIN {99999999999+}\r\nxxxx", "--test", "--no-config");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Is.EqualTo("* OK IMAP4rev1 Test mode\r\n* BYE Literal too large\r\n"));
    }

    private static void Send(Stream input, string text)
    {
        input.Write(Encoding.ASCII.GetBytes(text));
        input.Flush();
    }

    private static void SendLongLine(Stream input, string prefix, int length)
    {
        Send(input, prefix);
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        for (int sent = 0; sent < length; sent += chunk.Length)
        {
            input.Write(chunk);
        }

        Send(input, "\r\n");
    }

    private static long PeakResidentKb(int pid)
    {
        string status = File.ReadAllText($"/proc/{pid}/status");
        return long.Parse(Regex.Match(status, @"VmHWM:\s+(\d+) kB").Groups[1].Value);
    }
}
