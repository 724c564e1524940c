using System.Net.Sockets;
using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Delivery;

/// <summary>
/// LMTP (RFC 2033) with the real executable: `--lmtp` on a pipe as inetd runs it, and `server`
/// blocks with `protocol lmtp` on TCP and on a Unix socket in daemon mode.
/// </summary>
[Category("Integration")]
public class LmtpTests
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void PipelinedTransactionGetsAReplyPerRecipient(string type)
    {
        using var root = new DeliveryRoot(type);
        string message = "Subject: lmtp\r\nMessage-ID: <l1@example.org>\r\n\r\n..starts with a dot\r\nlast line\r\n";
        var result = root.Lmtp(
            "LHLO client.example.org\r\nMAIL FROM:<s@example.org> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<vu@example.org>\r\n"
            + "RCPT TO:<nobody-here@example.org>\r\nRCPT TO:<vu>\r\nDATA\r\n" + message + ".\r\nQUIT\r\n");
        var lines = result.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("220 "));
        Assert.That(lines, Does.Contain("250-PIPELINING").And.Contain("250-ENHANCEDSTATUSCODES").And.Contain("250-8BITMIME"));
        Assert.That(lines.Skip(1).SkipWhile(l => l.StartsWith("250-", StringComparison.Ordinal)).ToArray(), Is.EqualTo(new[]
        {
            lines.First(l => l.StartsWith("250 SIZE ", StringComparison.Ordinal)),
            "250 2.1.0 Sender OK",
            "250 2.1.5 <vu@example.org> Recipient OK",
            "550 5.1.1 <nobody-here@example.org> User unknown",
            "250 2.1.5 <vu> Recipient OK",
            "354 Start mail input; end with <CRLF>.<CRLF>",
            "250 2.0.0 <vu@example.org> Saved",
            "250 2.0.0 <vu> Saved",
            lines[^1],
        }), result.Stdout + result.Stderr);
        Assert.That(lines[^1], Does.StartWith("221 2.0.0"));
        var stored = root.Messages();
        Assert.That(stored, Has.Count.EqualTo(2));
        Assert.That(stored[0].Replace("\r\n", "\n"), Does.StartWith("Return-Path: <s@example.org>\nSubject: lmtp\n").Or.Contain("\nReturn-Path: <s@example.org>\n"));
        Assert.That(stored[0].Replace("\r\n", "\n"), Does.Contain("\n.starts with a dot\nlast line\n"));
    }

    [Test]
    public void ProtocolErrorsGetCleanReplies()
    {
        using var root = new DeliveryRoot("mbox", "limits { max-append-size 200; };");
        var result = root.Lmtp(string.Join("\r\n",
            "MAIL FROM:<a@b>",
            "EHLO x",
            "LHLO x",
            "RCPT TO:<vu>",
            "DATA",
            "MAIL FROM:<a@b> SIZE=100000",
            "MAIL FROM:a@b",
            "MAIL FROM:<a@b> AUTH=<>",
            "MAIL FROM:<> BODY=7BIT",
            "MAIL FROM:<c@d>",
            "DATA",
            "RCPT TO:<vu>",
            "BDAT 10",
            "X" + new string('y', 5000),
            "DATA",
            "Subject: big",
            "",
            new string('z', 300),
            ".",
            "RSET",
            "NOOP",
            "QUIT",
            ""));
        var lines = result.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("250-", StringComparison.Ordinal)).ToArray();
        Assert.That(lines.Skip(1).Select(l => l[..Math.Min(9, l.Length)]).ToArray(), Is.EqualTo(new[]
        {
            "503 5.5.1", "500 5.5.1", "250 SIZE ", "503 5.5.1", "503 5.5.1", "552 5.3.4", "501 5.5.4", "555 5.5.4",
            "250 2.1.0", "503 5.5.1", "503 5.5.1", "250 2.1.5", "500 5.5.2", "500 5.5.2", "354 Start", "552 5.3.4",
            "250 2.0.0", "250 2.0.0", "221 2.0.0",
        }), result.Stdout);
        Assert.That(root.Messages(), Is.Empty);
    }

    [Test]
    public void ClientLeavingInTheMiddleOfDataDeliversNothing()
    {
        using var root = new DeliveryRoot("maildir");
        var result = root.Lmtp("LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<vu>\r\nDATA\r\nSubject: cut\r\n\r\nhalf");
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(root.Messages(), Is.Empty);
    }

    [Test]
    public void TooManyErrorsEndTheSession()
    {
        using var root = new DeliveryRoot("mbox");
        var result = root.Lmtp(string.Concat(Enumerable.Repeat("BOGUS\r\n", 30)) + "NOOP\r\n");
        Assert.That(result.Stdout, Does.Contain("421 4.7.0"));
        Assert.That(result.Stdout, Does.Not.Contain("250 2.0.0 OK"));
    }

    [Test]
    public void DaemonServesLmtpOnTcpAndOnAUnixSocket()
    {
        using var root = new DeliveryRoot("maildir");
        int port = ServerProcess.FreePort();
        string socketPath = Path.Combine(root.Root, "lmtp.sock");
        root.WriteConfig($"server 127.0.0.1:{port} {{ protocol lmtp; }}; server {socketPath} {{ protocol lmtp; }};");
        using var daemon = ServerProcess.Start("--config-file=" + root.Config, "--daemon", "--foreground");
        daemon.WaitForPort(port);

        using (var tcp = new TcpClient("127.0.0.1", port))
        {
            Converse(tcp.GetStream(), "over tcp");
        }

        using (var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            unix.Connect(new UnixDomainSocketEndPoint(socketPath));
            using var stream = new NetworkStream(unix);
            Converse(stream, "over unix");
        }

        var subjects = root.Messages().Select(m => m.Contains("Subject: over tcp", StringComparison.Ordinal) ? "tcp" : "unix").ToList();
        Assert.That(subjects, Is.EquivalentTo(new[] { "tcp", "unix" }), daemon.Stderr);
    }

    private static void Converse(Stream stream, string subject)
    {
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.That(reader.ReadLine(), Does.StartWith("220 "));
        stream.Write(Encoding.ASCII.GetBytes($"LHLO t\r\nMAIL FROM:<a@b>\r\nRCPT TO:<vu>\r\nDATA\r\n"));
        string? line;
        while ((line = reader.ReadLine()) is not null && !line.StartsWith("354", StringComparison.Ordinal))
        {
        }

        stream.Write(Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\nbody\r\n.\r\nQUIT\r\n"));
        Assert.That(reader.ReadLine(), Is.EqualTo("250 2.0.0 <vu> Saved"));
        Assert.That(reader.ReadLine(), Does.StartWith("221 "));
    }
}
