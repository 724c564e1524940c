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
        Assert.That(lines[1], Is.EqualTo("* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE CHILDREN UIDPLUS UNSELECT MOVE IDLE"));
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
