using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Config;
using Imap4d.Hosting;
using Imap4d.Session;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// STARTTLS and implicit TLS in a real session over loopback sockets, with .NET's SslStream as
/// the client: capabilities before and after, tls-mode required, and pipelined plaintext.
/// </summary>
public class StartTlsTests
{
    private const string Caps = AdvertisedExtensions.InOrder;

    private TestCertificate _cert = null!;

    [SetUp]
    public void CreateCertificate() => _cert = TestCertificate.Create();

    [TearDown]
    public void DeleteCertificate() => _cert.Dispose();

    [Test]
    public async Task StartTlsThenLogin()
    {
        await using var c = await Connection.OpenAsync(new ServerSettings { Tls = _cert.Settings(TlsMode.OnDemand) }, _cert);
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(await c.CommandAsync("1 CAPABILITY"), Is.EqualTo(new[]
        {
            $"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN SASL-IR {Caps}", "1 OK CAPABILITY Completed",
        }));

        // No CAPABILITY code on this OK: what was said before TLS is void (RFC 2595 §3.1).
        Assert.That(await c.StartTlsAsync("2"), Is.EqualTo(SslProtocols.Tls13));
        Assert.That(await c.CommandAsync("3 CAPABILITY"), Is.EqualTo(new[]
        {
            $"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN AUTH=LOGIN SASL-IR {Caps}", "3 OK CAPABILITY Completed",
        }));
        Assert.That(await c.CommandAsync("4 STARTTLS"), Is.EqualTo(new[] { "4 BAD Invalid command" }), "TLS is already on");
        Assert.That(await c.CommandAsync("5 LOGIN demo demo"), Is.EqualTo(new[] { $"5 OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ {Caps}] LOGIN Completed" }));
        Assert.That(await c.CommandAsync("6 LOGOUT"), Is.EqualTo(new[] { "* BYE Session terminating.", "6 OK LOGOUT Completed" }));
        Assert.That(await c.ReadLineAsync(), Is.Null);
    }

    [Test]
    public async Task TlsRequiredRefusesLoginUntilStartTls()
    {
        await using var c = await Connection.OpenAsync(new ServerSettings { Tls = _cert.Settings(TlsMode.Required) }, _cert);
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(await c.CommandAsync("1 CAPABILITY"), Does.Contain($"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ STARTTLS XTLSREQUIRED LOGINDISABLED {Caps}"));
        Assert.That(await c.CommandAsync("2 LOGIN demo demo"), Is.EqualTo(new[] { "2 NO [PRIVACYREQUIRED] LOGIN is disabled" }));
        Assert.That(await c.CommandAsync("3 AUTHENTICATE PLAIN AGRlbW8AZGVtbw=="), Is.EqualTo(new[] { "3 NO [PRIVACYREQUIRED] Authentication is disabled" }));
        Assert.That(c.Authenticator.Calls, Is.Zero, "credentials sent in clear text are not even checked");

        await c.StartTlsAsync("4");
        Assert.That(await c.CommandAsync("5 CAPABILITY"), Does.Contain($"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN AUTH=LOGIN SASL-IR {Caps}"));
        Assert.That((await c.CommandAsync("6 AUTHENTICATE PLAIN AGRlbW8AZGVtbw==")).Last(), Does.StartWith("6 OK [CAPABILITY "));
    }

    [Test]
    public async Task LoginDisabledIsLiftedByTlsAsInGnuImap4d()
    {
        var settings = new ServerSettings { LoginDisabled = true, Tls = _cert.Settings(TlsMode.OnDemand) };
        await using var c = await Connection.OpenAsync(settings, _cert);
        await c.ReadLineAsync();
        Assert.That(await c.CommandAsync("1 LOGIN demo demo"), Is.EqualTo(new[] { "1 NO [PRIVACYREQUIRED] LOGIN is disabled" }));
        await c.StartTlsAsync("2");
        Assert.That((await c.CommandAsync("3 LOGIN demo demo")).Last(), Does.EndWith("LOGIN Completed"));
    }

    [Test]
    public async Task PlaintextPipelinedAfterStartTlsIsNeverRun()
    {
        await using var c = await Connection.OpenAsync(new ServerSettings { Tls = _cert.Settings(TlsMode.OnDemand) }, _cert);
        await c.ReadLineAsync();
        await c.SendAsync("a STARTTLS\r\nb LOGIN demo demo\r\n");
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("* BYE Data after STARTTLS; closing connection"));
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("a BAD STARTTLS must be the last command sent before the TLS handshake"));
        Assert.That(await c.ReadLineAsync(), Is.Null);
        Assert.That(await c.SessionEndedAsync(), Is.True);
        Assert.That(c.Authenticator.Calls, Is.Zero);
    }

    [Test]
    public async Task PlaintextSentRightAfterTheOkFailsTheHandshake()
    {
        // Bytes that arrive after the check but before the handshake go to TLS, which refuses them.
        await using var c = await Connection.OpenAsync(new ServerSettings { Tls = _cert.Settings(TlsMode.OnDemand) }, _cert);
        await c.ReadLineAsync();
        Assert.That(await c.CommandAsync("a STARTTLS"), Is.EqualTo(new[] { "a OK Begin TLS negotiation" }));
        await c.SendAsync("b LOGIN demo demo\r\n");
        Assert.That(await c.ReadLineAsync(), Is.Null);
        Assert.That(await c.SessionEndedAsync(), Is.True);
        Assert.That(c.Authenticator.Calls, Is.Zero);
    }

    [Test]
    public async Task AnUnusableCertificateMeansNoStartTls()
    {
        var tls = _cert.Settings(TlsMode.OnDemand) with { KeyFile = "/nonexistent/key.pem" };
        await using var c = await Connection.OpenAsync(new ServerSettings { Tls = tls }, _cert);
        await c.ReadLineAsync();
        Assert.That(await c.CommandAsync("1 CAPABILITY"), Does.Not.Contain("STARTTLS").And.Contains($"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN AUTH=LOGIN SASL-IR {Caps}"));
        Assert.That(await c.CommandAsync("2 STARTTLS"), Is.EqualTo(new[] { "2 BAD Invalid command" }));
    }

    [Test]
    public async Task ImplicitTlsGreetsOverTlsAndOffersNoStartTls()
    {
        var settings = new ServerSettings { Tls = _cert.Settings(TlsMode.Connection) };
        await using var c = await Connection.OpenAsync(settings, _cert, implicitTls: true);
        Assert.That(await c.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(await c.CommandAsync("1 CAPABILITY"), Does.Contain($"* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=PLAIN AUTH=LOGIN SASL-IR {Caps}"));
        Assert.That(await c.CommandAsync("2 STARTTLS"), Is.EqualTo(new[] { "2 BAD Invalid command" }));
    }

    [Test]
    public async Task ImplicitTlsWithAClearTextClientClosesWithinTheTimeout()
    {
        var settings = new ServerSettings { Tls = _cert.Settings(TlsMode.Connection) with { HandshakeTimeout = TimeSpan.FromMilliseconds(500) } };
        using var pair = await SocketPair.CreateAsync();
        var services = new SessionServices { Settings = settings };
        var open = TlsConnection.SecureAsync(services, pair.ServerStream, pair.ServerStream, ConnectionInfo.Unknown, CancellationToken.None);
        await pair.ClientStream.WriteAsync(Encoding.ASCII.GetBytes("a CAPABILITY\r\n"));
        Assert.That(await open.WaitAsync(TimeSpan.FromSeconds(5)), Is.Null);

        using var stalled = await SocketPair.CreateAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var secured = TlsConnection.SecureAsync(services, stalled.ServerStream, stalled.ServerStream, ConnectionInfo.Unknown, CancellationToken.None);
        Assert.That(await secured.WaitAsync(TimeSpan.FromSeconds(5)), Is.Null);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450)).And.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void TlsRequiredWithoutAUsableCertificateRefusesToServe()
    {
        var cache = new TlsContextCache();
        var log = NLog.LogManager.CreateNullLogger();
        var broken = _cert.Settings(TlsMode.Required) with { CertificateFile = "/nonexistent/cert.pem" };
        Assert.Multiple(() =>
        {
            Assert.That(TlsConnection.Check(broken, cache, log, "test"), Is.False);
            Assert.That(TlsConnection.Check(broken with { ConfiguredMode = TlsMode.Connection }, cache, log, "test"), Is.False);
            Assert.That(TlsConnection.Check(broken with { ConfiguredMode = TlsMode.OnDemand }, cache, log, "test"), Is.True, "ondemand: no STARTTLS, but serve");
            Assert.That(TlsConnection.Check(_cert.Settings(TlsMode.Required), cache, log, "test"), Is.True);
            Assert.That(TlsConnection.Check(new TlsSettings(), cache, log, "test"), Is.True);
        });
    }

    /// <summary>Counts credential checks, to prove clear-text or injected logins never reach it.</summary>
    private sealed class CountingAuthenticator : IAuthenticator
    {
        private readonly StaticAuthenticator _inner = new(("demo", "demo"));

        public int Calls { get; private set; }

        public string Name => "counting";

        public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
        {
            Calls++;
            return _inner.AuthenticateAsync(user, password, ct);
        }
    }

    /// <summary>A session on one end of a socket pair, and a client on the other that can switch to TLS.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly SocketPair _pair;
        private readonly TestCertificate _cert;
        private readonly Task _session;
        private Stream _stream;

        private Connection(SocketPair pair, TestCertificate cert, Task session, Stream stream, CountingAuthenticator authenticator)
        {
            _pair = pair;
            _cert = cert;
            _session = session;
            _stream = stream;
            Authenticator = authenticator;
        }

        public CountingAuthenticator Authenticator { get; }

        public static async Task<Connection> OpenAsync(ServerSettings settings, TestCertificate cert, bool implicitTls = false)
        {
            var pair = await SocketPair.CreateAsync();
            var authenticator = new CountingAuthenticator();
            var services = new SessionServices { Settings = settings, Authenticator = authenticator };
            var session = Task.Run(async () =>
            {
                // The hosts' path: the connection gate (implicit TLS among its stages), then the session.
                var admitted = await new ConnectionGate(services).AdmitAsync(pair.ServerStream, pair.ServerStream, ConnectionInfo.Unknown, SessionStart.Normal, CancellationToken.None);
                if (admitted is not null)
                {
                    await new ImapSession(admitted.Services, CommandRegistry.CreateDefault()).RunAsync(admitted.Input, admitted.Output, admitted.Start, CancellationToken.None);
                }

                pair.Server.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            });
            Stream stream = pair.ClientStream;
            if (implicitTls)
            {
                stream = await HandshakeAsync(stream, cert);
            }

            return new Connection(pair, cert, session, stream, authenticator);
        }

        public async Task SendAsync(string text) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));

        /// <summary>One line without its CRLF; null at end of stream. Reads byte by byte, so nothing past the line is consumed.</summary>
        public async Task<string?> ReadLineAsync()
        {
            var line = new StringBuilder();
            var one = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                int n;
                try
                {
                    n = await _stream.ReadAsync(one, timeout.Token);
                }
                catch (IOException)
                {
                    n = 0;
                }

                if (n == 0)
                {
                    return line.Length == 0 ? null : line.ToString();
                }

                if (one[0] == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)one[0]);
            }
        }

        /// <summary>Sends "TAG COMMAND" and returns the lines up to the tagged one.</summary>
        public async Task<List<string>> CommandAsync(string command)
        {
            string tag = command.Split(' ')[0];
            await SendAsync(command + "\r\n");
            var lines = new List<string>();
            while (await ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    break;
                }
            }

            return lines;
        }

        /// <summary>STARTTLS, checks the exact tagged OK, then the client handshake; returns the protocol.</summary>
        public async Task<SslProtocols> StartTlsAsync(string tag)
        {
            Assert.That(await CommandAsync(tag + " STARTTLS"), Is.EqualTo(new[] { tag + " OK Begin TLS negotiation" }));
            var secure = await HandshakeAsync(_stream, _cert);
            _stream = secure;
            return secure.SslProtocol;
        }

        public async Task<bool> SessionEndedAsync() => await Task.WhenAny(_session, Task.Delay(10_000)) == _session;

        public async ValueTask DisposeAsync()
        {
            _pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            await Task.WhenAny(_session, Task.Delay(10_000));
            _pair.Dispose();
        }

        private static async Task<SslStream> HandshakeAsync(Stream transport, TestCertificate cert)
        {
            var ssl = new SslStream(transport, leaveInnerStreamOpen: true, (_, presented, _, _) => cert.Accepts(presented));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            return ssl;
        }
    }
}
