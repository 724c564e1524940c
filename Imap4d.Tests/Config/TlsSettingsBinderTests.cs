using System.Net;
using System.Security.Authentication;
using Imap4d.Config;

namespace Imap4d.Tests.Config;

/// <summary>The `tls` blocks and `tls-mode`, global and per `server`, bound as GNU imap4d 3.15 reads them.</summary>
public class TlsSettingsBinderTests
{
    private const SslProtocols Both = SslProtocols.Tls12 | SslProtocols.Tls13;

    [Test]
    public void DefaultsAreNoTlsWithModernVersions()
    {
        var tls = ConfigText.Bind("").Tls;
        Assert.Multiple(() =>
        {
            Assert.That(tls.Mode, Is.EqualTo(TlsMode.None));
            Assert.That(tls.ConfiguredMode, Is.Null);
            Assert.That(tls.Protocols, Is.EqualTo(Both));
            Assert.That(tls.HandshakeTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(tls.CertificateFile, Is.Null);
        });
    }

    [Test]
    public void BindsTheGlobalBlock()
    {
        var settings = ConfigText.Bind("""
            tls {
              ssl-certificate-file /etc/ssl/imap.pem;
              ssl-key-file /etc/ssl/private/imap.key;
              ssl-ca-file /etc/ssl/ca.pem;
              handshake-timeout 3;
            }
            tls-mode required;
            """, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Tls, Is.EqualTo(new TlsSettings
            {
                ConfiguredMode = TlsMode.Required,
                CertificateFile = "/etc/ssl/imap.pem",
                KeyFile = "/etc/ssl/private/imap.key",
                CaFile = "/etc/ssl/ca.pem",
                HandshakeTimeout = TimeSpan.FromSeconds(3),
            }));
        });
    }

    // GNU imap4d 3.15 (imap4d.c cb_tls): "stls" is ondemand; yes/true/on/1 mean connection, for
    // compatibility with mailutils before 3.0 — checked against the Debian build of GNU imap4d.
    [TestCase("no", TlsMode.None)]
    [TestCase("false", TlsMode.None)]
    [TestCase("off", TlsMode.None)]
    [TestCase("0", TlsMode.None)]
    [TestCase("ondemand", TlsMode.OnDemand)]
    [TestCase("stls", TlsMode.OnDemand)]
    [TestCase("required", TlsMode.Required)]
    [TestCase("connection", TlsMode.Connection)]
    [TestCase("yes", TlsMode.Connection)]
    [TestCase("true", TlsMode.Connection)]
    [TestCase("on", TlsMode.Connection)]
    [TestCase("1", TlsMode.Connection)]
    public void TlsModeKeywords(string keyword, TlsMode mode) =>
        Assert.That(ConfigText.Bind($"tls-mode {keyword};").Tls.Mode, Is.EqualTo(mode));

    [Test]
    public void UnknownTlsModeIsAnError() =>
        Assert.That(ConfigText.ErrorOf("tls-mode always;"), Does.StartWith("test.conf:1: \"always\" is not valid here"));

    [Test]
    public void AGlobalBlockAloneDoesNotTurnTlsOn() =>
        Assert.That(ConfigText.Bind("tls { ssl-certificate-file /c.pem; }").Tls.Mode, Is.EqualTo(TlsMode.None));

    [Test]
    public void ServerBlocksResolveModeAndCertificateAsGnu()
    {
        var settings = ConfigText.Bind("""
            tls { ssl-certificate-file /global.pem; }
            server 127.0.0.1:143 { }
            server 127.0.0.1:144 { tls-mode required; }
            server 127.0.0.1:993 { tls-mode connection; tls { ssl-certificate-file /imaps.pem; handshake-timeout 5; } }
            server 127.0.0.1:145 { tls { ssl-certificate-file /own.pem; } }
            """, out var warnings);
        TlsSettings On(int port) => settings.ForLocalEndPoint(new IPEndPoint(IPAddress.Loopback, port)).Tls;
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Servers[2].TlsMode, Is.EqualTo(TlsMode.Connection));
            Assert.That(On(143).Mode, Is.EqualTo(TlsMode.None), "no tls-mode anywhere, no certificate of its own");
            Assert.That(On(144).Mode, Is.EqualTo(TlsMode.Required));
            Assert.That(On(144).CertificateFile, Is.EqualTo("/global.pem"), "inherits the global block");
            Assert.That(On(993).Mode, Is.EqualTo(TlsMode.Connection));
            Assert.That(On(993).CertificateFile, Is.EqualTo("/imaps.pem"));
            Assert.That(On(993).HandshakeTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(On(145).Mode, Is.EqualTo(TlsMode.OnDemand), "a certificate of its own turns STARTTLS on");
            Assert.That(On(145).CertificateFile, Is.EqualTo("/own.pem"));
        });
    }

    [Test]
    public void GlobalTlsModeAppliesToServerBlocksWithoutTheirOwn()
    {
        var settings = ConfigText.Bind("""
            tls-mode ondemand;
            tls { ssl-certificate-file /global.pem; }
            server 127.0.0.1:143 { }
            server 127.0.0.1:144 { tls-mode no; tls { ssl-certificate-file /own.pem; } }
            """);
        TlsSettings On(int port) => settings.ForLocalEndPoint(new IPEndPoint(IPAddress.Loopback, port)).Tls;
        Assert.Multiple(() =>
        {
            Assert.That(settings.Tls.Mode, Is.EqualTo(TlsMode.OnDemand), "inetd mode");
            Assert.That(On(143).Mode, Is.EqualTo(TlsMode.OnDemand));
            Assert.That(On(144).Mode, Is.EqualTo(TlsMode.None));
        });
    }

    [Test]
    public void AServerTlsBlockWithoutCertificateIsNotUsedAndSaysSo()
    {
        var settings = ConfigText.Bind("""
            tls-mode ondemand;
            tls { ssl-certificate-file /global.pem; }
            server 127.0.0.1:143 {
              tls { handshake-timeout 2; }
            }
            """, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.EqualTo(new[]
            {
                "test.conf:4: warning: a server's tls block without ssl-certificate-file is not used; the global tls block applies",
            }));
            var tls = settings.ForLocalEndPoint(new IPEndPoint(IPAddress.Loopback, 143)).Tls;
            Assert.That(tls.CertificateFile, Is.EqualTo("/global.pem"));
            Assert.That(tls.HandshakeTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void ASecondServerBlockForTheSameAddressAmendsTls()
    {
        var settings = ConfigText.Bind("""
            server 127.0.0.1:993 { tls { ssl-certificate-file /imaps.pem; } }
            server 127.0.0.1:993 { tls-mode connection; }
            """);
        Assert.That(settings.Servers.Single().ApplyTo(settings).Tls, Is.EqualTo(new TlsSettings
        {
            ConfiguredMode = TlsMode.Connection,
            CertificateFile = "/imaps.pem",
        }));
    }

    [TestCase("NORMAL", SslProtocols.Tls12 | SslProtocols.Tls13)]
    [TestCase("NORMAL:-VERS-TLS1.2", SslProtocols.Tls13)]
    [TestCase("SECURE256:!VERS-TLS1.3", SslProtocols.Tls12)]
    [TestCase("NONE:+VERS-TLS1.2", SslProtocols.Tls12)]
    [TestCase("NORMAL:-VERS-ALL:+VERS-TLS1.3", SslProtocols.Tls13)]
    [TestCase("NORMAL:-VERS-TLS-ALL:VERS-TLS1.2", SslProtocols.Tls12)]
    [TestCase("NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-DTLS-ALL", SslProtocols.Tls12 | SslProtocols.Tls13)]
    public void SslPrioritiesVersionsAreApplied(string priorities, SslProtocols expected)
    {
        var tls = ConfigText.Bind($"tls {{ ssl-priorities \"{priorities}\"; }}", out var warnings).Tls;
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(tls.Protocols, Is.EqualTo(expected));
            Assert.That(tls.Priorities, Is.EqualTo(priorities));
        });
    }

    [Test]
    public void SslPrioritiesPartsThatCannotBeAppliedWarn()
    {
        var tls = ConfigText.Bind("""
            tls {
              ssl-priorities "NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:-VERS-TLS1.2:+AES-256-GCM:-ARCFOUR-128:%SERVER_PRECEDENCE";
            }
            """, out var warnings).Tls;
        Assert.Multiple(() =>
        {
            Assert.That(tls.Protocols, Is.EqualTo(SslProtocols.Tls13));
            Assert.That(warnings, Is.EqualTo(new[]
            {
                "test.conf:2: warning: ssl-priorities: protocol versions below TLS 1.2 are not supported; ignored: +VERS-TLS1.0, +VERS-TLS1.1",
                "test.conf:2: warning: ssl-priorities: only protocol versions (VERS-...) are applied; ciphers and options are left to OpenSSL; ignored: +AES-256-GCM, -ARCFOUR-128, %SERVER_PRECEDENCE",
            }));
        });
    }

    [Test]
    public void ProtocolsExtensionOverridesSslPrioritiesInEitherOrder()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ConfigText.Bind("tls { protocols tls1.3; ssl-priorities NORMAL; }").Tls.Protocols, Is.EqualTo(SslProtocols.Tls13));
            Assert.That(ConfigText.Bind("tls { ssl-priorities \"NORMAL:-VERS-TLS1.3\"; protocols \"tls1.2 tls1.3\"; }").Tls.Protocols, Is.EqualTo(Both));
            Assert.That(ConfigText.Bind("tls { protocols (TLSv1.2, TLSv1.3); }").Tls.Protocols, Is.EqualTo(Both));
        });
    }

    [Test]
    public void ProtocolsBelowTls12WarnAndUnknownOnesAreErrors()
    {
        var tls = ConfigText.Bind("tls { protocols \"tls1.1 tls1.2\"; }", out var warnings).Tls;
        Assert.Multiple(() =>
        {
            Assert.That(tls.Protocols, Is.EqualTo(SslProtocols.Tls12));
            Assert.That(warnings, Is.EqualTo(new[] { "test.conf:1: warning: protocol \"tls1.1\" is below TLS 1.2 and not supported; ignored" }));
            Assert.That(ConfigText.ErrorOf("tls { protocols tls2; }"), Is.EqualTo("test.conf:1: unknown TLS protocol \"tls2\" (expected tls1.2 or tls1.3)"));
        });
    }

    [Test]
    public void ABlockWithNoVersionLeftIsAnError() =>
        Assert.That(ConfigText.ErrorOf("tls {\n  ssl-priorities \"NORMAL:-VERS-ALL\";\n}"),
            Is.EqualTo("test.conf:1: tls block leaves no protocol version enabled (TLS 1.2 and 1.3 are supported)"));

    [Test]
    public void HandshakeTimeoutMustBePositive() =>
        Assert.That(ConfigText.ErrorOf("tls { handshake-timeout 0; }"), Is.EqualTo("test.conf:1: handshake-timeout must be longer than zero"));

    [Test]
    public void SafetyCheckStatementsStayUnimplemented()
    {
        // GNU imap4d 3.15 has them in a tls-file-checks block of their own, not inside tls.
        ConfigText.Bind("tls-file-checks { key-file none; cert-file (gwrfil, awrfil); }", out var warnings);
        Assert.That(warnings, Is.EqualTo(new[] { "test.conf:1: warning: statement \"tls-file-checks\" is not implemented yet; ignored" }));
        Assert.That(ConfigText.ErrorOf("tls { key-file-safety-checks none; }"), Is.EqualTo("test.conf:1: unknown keyword \"key-file-safety-checks\" in block \"tls\""));
    }
}
