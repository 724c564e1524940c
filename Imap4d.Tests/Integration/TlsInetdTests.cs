using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// TLS with the built executable in inetd mode on a real socket (`imap4d -i` per connection),
/// driven by python3's imaplib and `openssl s_client`.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class TlsInetdTests
{
    private TlsEnvironment _env = null!;

    [OneTimeSetUp]
    public void CreateEnvironment() => _env = TlsEnvironment.Create();

    [OneTimeTearDown]
    public void DeleteEnvironment() => _env?.Dispose();

    [Test]
    public void ImaplibStartTlsLogsInAndFetches()
    {
        using var inetd = Inetd("tls-mode ondemand;\n" + _env.TlsBlock);
        string output = TlsEnvironment.Python(ImaplibScript(inetd.Port, "IMAP4", starttls: true));
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR", "STARTTLS")));
        Assert.That(output, Does.Contain("starttls OK"));
        Assert.That(output, Does.Contain("caps-after " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("version TLSv1.3"));
        Assert.That(output, Does.Contain("login OK"));
        Assert.That(output, Does.Contain("fetch OK Subject: Welcome to imap4d"));
        Assert.That(inetd.WaitForLog("negotiated"), Does.Contain("STARTTLS: TLSv1.3 TLS_"));
    }

    [Test]
    public void OpensslStartTlsSeesTheGreetingAndCapabilities()
    {
        using var inetd = Inetd("tls-mode ondemand;\n" + _env.TlsBlock);
        string output = _env.SClient(inetd.Port, "a CAPABILITY\nb LOGIN demo demo\nc LOGOUT\n", "-starttls", "imap", "-verify_return_error");
        Assert.That(output, Does.Contain("Verify return code: 0 (ok)"));
        Assert.That(output, Does.Match(@"Protocol *: TLSv1\.3"));
        Assert.That(output, Does.Contain("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN AUTH=LOGIN SASL-IR ID "));
        Assert.That(output, Does.Contain("b OK [CAPABILITY IMAP4rev1 "));
        Assert.That(output, Does.Contain("* BYE Session terminating."));
    }

    [Test]
    public void Tls12CanBeNegotiatedAndOlderVersionsAreRefused()
    {
        using var inetd = Inetd("tls-mode ondemand;\n" + _env.TlsBlock);
        Assert.That(_env.SClient(inetd.Port, "a LOGOUT\n", "-starttls", "imap", "-tls1_2"), Does.Match(@"Protocol *: TLSv1\.2").And.Contain("a OK LOGOUT Completed"));
        foreach (string old in new[] { "-tls1_1", "-tls1" })
        {
            // SECLEVEL=0 makes the client offer the old version, so the refusal must come from the server.
            string output = _env.SClient(inetd.Port, "a LOGOUT\n", "-starttls", "imap", old, "-cipher", "DEFAULT@SECLEVEL=0");
            Assert.That(output, Does.Contain("alert protocol version").And.Contain("Cipher is (NONE)").And.Not.Contain("a OK LOGOUT"), old);
        }
    }

    [Test]
    public void TlsRequiredDisablesLoginUntilStartTls()
    {
        using var inetd = Inetd("tls-mode required;\n" + _env.TlsBlock);
        string output = TlsEnvironment.Python($$"""
            import imaplib, ssl
            c = imaplib.IMAP4('127.0.0.1', {{inetd.Port}})
            print('caps-before', ' '.join(sorted(c.capabilities)))
            try:
                c.login('demo', 'demo')
            except imaplib.IMAP4.error as e:
                print('login-before', e)
            c.starttls(ssl_context=ssl.create_default_context(cafile='{{_env.CertificateFile}}'))
            print('caps-after', ' '.join(sorted(c.capabilities)))
            print('login', c.login('demo', 'demo')[0])
            c.logout()
            """);
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("IMAP4REV1", "IMAP4REV2", "LITERAL+", "LOGINDISABLED", "STARTTLS", "XTLSREQUIRED")));
        Assert.That(output, Does.Contain("login-before b'[PRIVACYREQUIRED] LOGIN is disabled'"));
        Assert.That(output, Does.Contain("caps-after " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("login OK"));
    }

    [Test]
    public void PipelinedCommandsAfterStartTlsAreNotRun()
    {
        using var inetd = Inetd("tls-mode ondemand;\n" + _env.TlsBlock);
        using var client = new TcpClient("127.0.0.1", inetd.Port);
        var stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        Assert.That(ReadLine(stream), Is.EqualTo("* OK IMAP4rev1"));
        stream.Write(Encoding.ASCII.GetBytes("a STARTTLS\r\nb LOGIN demo demo\r\n"));
        string rest = ReadToEnd(stream);
        Assert.That(rest, Is.EqualTo("* BYE Data after STARTTLS; closing connection\r\na BAD STARTTLS must be the last command sent before the TLS handshake\r\n"));
        Assert.That(inetd.WaitForLog("session closed"), Does.Contain("followed by pipelined data").And.Not.Contain("logged in"));
    }

    [Test]
    public void GarbageOrSilenceInsteadOfAHandshakeIsClosedInBoundedTime()
    {
        using var inetd = Inetd("tls-mode ondemand;\n" + _env.TlsBlock.Replace("}", "handshake-timeout 2; }"));
        foreach (byte[] sent in new[] { Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"), new byte[] { 0x16, 0x03, 0x01, 0x40, 0x00 }, Array.Empty<byte>() })
        {
            using var client = new TcpClient("127.0.0.1", inetd.Port);
            var stream = client.GetStream();
            stream.ReadTimeout = 15_000;
            Assert.That(ReadLine(stream), Is.EqualTo("* OK IMAP4rev1"));
            stream.Write(Encoding.ASCII.GetBytes("a STARTTLS\r\n"));
            Assert.That(ReadLine(stream), Is.EqualTo("a OK Begin TLS negotiation"));
            var watch = Stopwatch.StartNew();
            stream.Write(sent);
            Assert.That(ReadToEnd(stream), Is.Empty.Or.Not.Contain("OK"));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)), $"{sent.Length} bytes sent");
        }

        Assert.That(inetd.WaitForLog("not completed within 2 s"), Does.Contain("handshake with 127.0.0.1:").And.Contain("not completed within 2 s"));
    }

    [Test]
    public void ImplicitTlsWithImaplibAndOpenssl()
    {
        using var inetd = Inetd("tls-mode connection;\n" + _env.TlsBlock);
        string output = TlsEnvironment.Python(ImaplibScript(inetd.Port, "IMAP4_SSL", starttls: false));
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("login OK"));
        Assert.That(output, Does.Contain("fetch OK Subject: Welcome to imap4d"));

        string sclient = _env.SClient(inetd.Port, "a CAPABILITY\nb LOGOUT\n", "-verify_return_error");
        Assert.That(sclient, Does.Match(@"Protocol *: TLSv1\.3"));
        Assert.That(sclient, Does.Contain("* OK IMAP4rev1\r\n").Or.Contain("* OK IMAP4rev1\n"));
        Assert.That(sclient, Does.Contain("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN"));
        Assert.That(sclient, Does.Not.Contain("STARTTLS"));
    }

    [Test]
    public void ImplicitTlsWithAClearTextClientIsClosed()
    {
        using var inetd = Inetd("tls-mode connection;\n" + _env.TlsBlock.Replace("}", "handshake-timeout 2; }"));
        using var client = new TcpClient("127.0.0.1", inetd.Port);
        var stream = client.GetStream();
        stream.ReadTimeout = 15_000;
        var watch = Stopwatch.StartNew();
        Assert.That(ReadToEnd(stream), Is.Empty, "no clear-text greeting");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
    }

    [Test]
    public void ImplicitTlsFollowsAProxyProtocolHeader()
    {
        // A TLS-passing proxy (haproxy "send-proxy" in tcp mode): the header in clear text, then TLS.
        using var inetd = Inetd("tls-mode connection;\nproxy-protocol yes;\nproxy-trusted 127.0.0.1;\n" + _env.TlsBlock);
        using var client = new TcpClient("127.0.0.1", inetd.Port);
        var stream = client.GetStream();
        stream.Write("PROXY TCP4 198.51.100.7 127.0.0.1 6666 993\r\n"u8);
        using var expected = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(_env.CertificateFile, _env.KeyFile);
        using var tls = new System.Net.Security.SslStream(stream, false, (_, presented, _, _) => presented?.GetCertHashString() == expected.GetCertHashString());
        tls.ReadTimeout = 10_000;
        tls.AuthenticateAsClient("localhost");
        var greeting = new StreamReader(tls, Encoding.ASCII).ReadLine();
        Assert.That(greeting, Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(inetd.WaitForLog("negotiated"), Does.Contain("TLS: TLSv1.3 TLS_").And.Contain("negotiated with 198.51.100.7:6666"));
    }

    [TestCase("required")]
    [TestCase("connection")]
    public void AnUnusableKeyWithTlsRequiredIsAConfigurationError(string mode)
    {
        string config = _env.Config($"tls-mode {mode};\ntls {{ ssl-certificate-file \"{_env.CertificateFile}\"; ssl-key-file \"{_env.Dir}/missing.key\"; }}\n");
        var (code, stdout, stderr) = ServerProcess.Run("1 CAPABILITY\r\n", "-i", "--config-file=" + config);
        Assert.That(code, Is.EqualTo(78), stderr);
        Assert.That(stdout, Is.Empty, "no session in clear text");
        Assert.That(stderr, Does.Contain($"TLS is not available: cannot load the certificate {_env.CertificateFile} with the key {_env.Dir}/missing.key: no such file"));
        Assert.That(stderr, Does.Contain($"inetd: tls-mode {mode} needs a usable ssl-certificate-file and ssl-key-file; refusing to serve"));
    }

    [Test]
    public void AnUnusableKeyWithTlsOnDemandOnlyHidesStartTls()
    {
        string config = _env.Config($"tls-mode ondemand;\ntls {{ ssl-certificate-file \"{_env.Dir}/missing.pem\"; }}\n");
        var (code, stdout, stderr) = ServerProcess.Run("1 CAPABILITY\r\n", "-i", "--config-file=" + config);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN").And.Not.Contain("STARTTLS"));
        Assert.That(stderr, Does.Contain("inetd: tls-mode ondemand without a usable certificate: STARTTLS is not offered"));
    }

    private MiniInetd Inetd(string extra) => new("127.0.0.1", "-i", "--config-file=" + _env.Config(extra));

    /// <summary>imaplib: capabilities, optional STARTTLS, login, SELECT and a header FETCH, with the protocol version.</summary>
    private string ImaplibScript(int port, string client, bool starttls) => $$"""
        import imaplib, ssl
        ctx = ssl.create_default_context(cafile='{{_env.CertificateFile}}')
        c = imaplib.{{client}}('127.0.0.1', {{port}}{{(client == "IMAP4_SSL" ? ", ssl_context=ctx" : "")}})
        print('caps-before', ' '.join(sorted(c.capabilities)))
        if {{(starttls ? "True" : "False")}}:
            typ, data = c.starttls(ssl_context=ctx)
            print('starttls', typ)
            print('caps-after', ' '.join(sorted(c.capabilities)))
        print('version', c.sock.version())
        print('login', c.login('demo', 'demo')[0])
        print('select', c.select('INBOX')[0])
        typ, data = c.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
        print('fetch', typ, data[0][1].decode().strip())
        c.logout()
        """;

    private static string ReadLine(NetworkStream stream)
    {
        var line = new StringBuilder();
        while (stream.ReadByte() is int b and >= 0 && b != '\n')
        {
            line.Append((char)b);
        }

        return line.ToString().TrimEnd('\r');
    }

    private static string ReadToEnd(NetworkStream stream)
    {
        var all = new MemoryStream();
        try
        {
            stream.CopyTo(all);
        }
        catch (IOException)
        {
        }

        return Encoding.ASCII.GetString(all.ToArray());
    }
}
