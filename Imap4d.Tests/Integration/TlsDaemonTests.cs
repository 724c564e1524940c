using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The daemon (`--foreground`, sessions in process) with three server blocks: STARTTLS on
/// demand (the global tls-mode), implicit TLS (`tls-mode connection`, as port 993) and
/// STARTTLS required, driven by imaplib and `openssl s_client`.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class TlsDaemonTests
{
    private TlsEnvironment _env = null!;
    private ServerProcess _server = null!;
    private int _onDemand;
    private int _implicit;
    private int _required;

    [OneTimeSetUp]
    public void StartDaemon()
    {
        _env = TlsEnvironment.Create();
        _onDemand = ServerProcess.FreePort();
        _implicit = ServerProcess.FreePort();
        _required = ServerProcess.FreePort();
        string config = _env.Config($$"""
            tls-mode ondemand;
            {{_env.TlsBlock}}
            server 127.0.0.1:{{_implicit}} { single-process yes; tls-mode connection; }
            server 127.0.0.1:{{_required}} { single-process yes; tls-mode required; }
            """, _onDemand);
        _server = ServerProcess.Start("-d", "--foreground", "--config-file=" + config);
        _server.WaitForPort(_onDemand);
        _server.WaitForPort(_implicit);
        _server.WaitForPort(_required);
    }

    [OneTimeTearDown]
    public void StopDaemon()
    {
        _server?.Dispose();
        _env?.Dispose();
    }

    [Test]
    public void StartTlsOnDemandThenLoginAndFetch()
    {
        string output = TlsEnvironment.Python(Script(_onDemand, "IMAP4", starttls: true));
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR", "STARTTLS")));
        Assert.That(output, Does.Contain("caps-after " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("version TLSv1.3"));
        Assert.That(output, Does.Contain("fetch OK Subject: Welcome to imap4d"));
    }

    [Test]
    public void ImplicitTlsServerBlockWithImaplibSsl()
    {
        string output = TlsEnvironment.Python(Script(_implicit, "IMAP4_SSL", starttls: false));
        Assert.That(output, Does.Contain("greeting * OK IMAP4rev1"));
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("version TLSv1.3"));
        Assert.That(output, Does.Contain("fetch OK Subject: Welcome to imap4d"));
        Assert.That(_server.Stderr, Does.Contain("TLS: TLSv1.3 TLS_"));
    }

    [Test]
    public void ImplicitTlsServerBlockWithOpenssl()
    {
        string output = _env.SClient(_implicit, "a CAPABILITY\nb LOGOUT\n", "-verify_return_error");
        Assert.That(output, Does.Contain("Verify return code: 0 (ok)"));
        Assert.That(output, Does.Match(@"Protocol *: TLSv1\.3"));
        Assert.That(output, Does.Contain("* OK IMAP4rev1"));
        Assert.That(output, Does.Contain("a OK CAPABILITY Completed"));
        Assert.That(output, Does.Contain("b OK LOGOUT Completed"));
    }

    [Test]
    public void StartTlsRequiredServerBlock()
    {
        string before = _env.SClient(_required, "a CAPABILITY\nb LOGIN demo demo\nc LOGOUT\n", "-starttls", "imap");
        Assert.That(before, Does.Contain("b OK [CAPABILITY IMAP4rev1 "), "over STARTTLS login works");

        string output = TlsEnvironment.Python($$"""
            import imaplib
            c = imaplib.IMAP4('127.0.0.1', {{_required}})
            print('caps', ' '.join(sorted(c.capabilities)))
            print('login', c._simple_command('LOGIN', 'demo', 'demo'))
            c.logout()
            """);
        Assert.That(output, Does.Contain("caps " + AdvertisedExtensions.SortedWith("IMAP4REV1", "IMAP4REV2", "LITERAL+", "LOGINDISABLED", "STARTTLS", "XTLSREQUIRED")));
        Assert.That(output, Does.Contain("login ('NO', [b'[PRIVACYREQUIRED] LOGIN is disabled'])"));
    }

    [Test]
    public void TlsConnectionWithAMissingKeyStopsTheDaemonAtStart()
    {
        int port = ServerProcess.FreePort();
        string config = _env.Config($$"""
            server 127.0.0.1:{{ServerProcess.FreePort()}} {
                tls-mode connection;
                tls { ssl-certificate-file "{{_env.CertificateFile}}"; ssl-key-file "{{_env.Dir}}/missing.key"; }
            }
            """, port);
        using var server = ServerProcess.Start("-d", "--foreground", "--config-file=" + config);
        Assert.That(server.Process.WaitForExit(20_000), Is.True, "the daemon must not start");
        Assert.That(server.Process.ExitCode, Is.EqualTo(78));
        Assert.That(server.Stderr, Does.Contain("tls-mode connection needs a usable ssl-certificate-file and ssl-key-file; refusing to serve"));
    }

    private string Script(int port, string client, bool starttls) => $$"""
        import imaplib, ssl
        ctx = ssl.create_default_context(cafile='{{_env.CertificateFile}}')
        c = imaplib.{{client}}('127.0.0.1', {{port}}{{(client == "IMAP4_SSL" ? ", ssl_context=ctx" : "")}})
        print('greeting', c.welcome.decode())
        print('caps-before', ' '.join(sorted(c.capabilities)))
        if {{(starttls ? "True" : "False")}}:
            c.starttls(ssl_context=ctx)
            print('caps-after', ' '.join(sorted(c.capabilities)))
        print('version', c.sock.version())
        print('login', c.login('demo', 'demo')[0])
        print('select', c.select('INBOX')[0])
        typ, data = c.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
        print('fetch', typ, data[0][1].decode().strip())
        c.logout()
        """;
}
