using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Imap4d.Config;
using Imap4d.IO;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.IO;

/// <summary>Loading PEM certificates and keys, and the server handshake with its timeout, over loopback sockets.</summary>
public class TlsServerContextTests
{
    private TestCertificate _cert = null!;

    [SetUp]
    public void CreateCertificate() => _cert = TestCertificate.Create();

    [TearDown]
    public void DeleteCertificate() => _cert.Dispose();

    [Test]
    public void LoadsAPemCertificateAndKey()
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        Assert.Multiple(() =>
        {
            Assert.That(context.Certificate.HasPrivateKey, Is.True);
            Assert.That(context.Certificate.Subject, Is.EqualTo("CN=localhost"));
            Assert.That(context.Warnings, Is.Empty);
        });
    }

    [Test]
    public void TheKeyMayFollowTheCertificateInOneFile()
    {
        string both = Path.Combine(_cert.Directory, "both.pem");
        File.WriteAllText(both, File.ReadAllText(_cert.CertificateFile) + File.ReadAllText(_cert.KeyFile));
        var context = TlsServerContext.Load(new TlsSettings { CertificateFile = both });
        Assert.That(context.Certificate.HasPrivateKey, Is.True);
    }

    [Test]
    public void AMissingCertificateIsNamedInTheError()
    {
        var settings = _cert.Settings(TlsMode.Required) with { CertificateFile = "/nonexistent/cert.pem" };
        var error = Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(settings))!;
        Assert.That(error.Message, Does.StartWith("cannot load the certificate /nonexistent/cert.pem with the key ").And.EndWith(": no such file"));
    }

    [Test]
    public void NoCertificateConfiguredIsAnError() =>
        Assert.That(Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(new TlsSettings { ConfiguredMode = TlsMode.OnDemand }))!.Message,
            Is.EqualTo("no ssl-certificate-file is configured"));

    [Test]
    public void AGarbageKeyIsRefused()
    {
        File.WriteAllText(_cert.KeyFile, "this is not a key\n");
        var error = Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand)))!;
        Assert.That(error.Message, Does.Contain(_cert.KeyFile).And.Contain("not a usable unencrypted PEM certificate or key"));
    }

    [Test]
    public void AnEncryptedKeyIsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_cert.KeyFile, key.ExportEncryptedPkcs8PrivateKeyPem("secret",
            new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)));
        Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand)));
    }

    [Test]
    public void TheKeyOfAnotherCertificateIsRefused()
    {
        using var other = TestCertificate.Create();
        var settings = _cert.Settings(TlsMode.OnDemand) with { KeyFile = other.KeyFile };
        Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(settings));
    }

    [Test]
    public void TheCaFileIsLoadedAndChecked()
    {
        Assert.DoesNotThrow(() => TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand) with { CaFile = _cert.CertificateFile }));
        var garbage = Path.Combine(_cert.Directory, "ca.pem");
        File.WriteAllText(garbage, "no certificates here\n");
        Assert.That(Assert.Throws<TlsSetupException>(() => TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand) with { CaFile = garbage }))!.Message,
            Is.EqualTo($"no certificate in the CA file {garbage}"));
    }

    [Test]
    public void AnExpiredCertificateLoadsWithAWarning()
    {
        using var expired = TestCertificate.Create(notAfter: DateTimeOffset.UtcNow.AddHours(-1));
        var context = TlsServerContext.Load(expired.Settings(TlsMode.OnDemand));
        Assert.That(context.Warnings.Single(), Does.StartWith($"the certificate {expired.CertificateFile} expired on "));
    }

    [Test]
    public void AKeyOthersCanReadLoadsWithAWarning()
    {
        File.SetUnixFileMode(_cert.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        Assert.That(context.Warnings, Is.EqualTo(new[] { $"the key file {_cert.KeyFile} can be read by group or others; make it mode 600 or 400" }));
    }

    [TestCase(SslProtocols.None, SslProtocols.Tls13)]
    [TestCase(SslProtocols.Tls12, SslProtocols.Tls12)]
    public async Task HandshakeNegotiatesTls12Or13(SslProtocols clientProtocols, SslProtocols expected)
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        using var pair = await SocketPair.CreateAsync();
        var server = context.AuthenticateAsync(pair.ServerStream, CancellationToken.None);
        await using var client = await ConnectClientAsync(pair.ClientStream, clientProtocols);
        await using var secure = await server;
        Assert.That(secure.SslProtocol, Is.EqualTo(expected));
        Assert.That(TlsServerContext.Describe(secure), Does.StartWith(expected == SslProtocols.Tls13 ? "TLSv1.3 TLS_" : "TLSv1.2 TLS_"));

        // Data flows both ways over the result.
        await secure.WriteAsync(Encoding.ASCII.GetBytes("* OK\r\n"));
        var buffer = new byte[6];
        await client.ReadExactlyAsync(buffer);
        Assert.That(Encoding.ASCII.GetString(buffer), Is.EqualTo("* OK\r\n"));
    }

    [Test]
    public async Task AServerLimitedToTls12RefusesATls13OnlyClient()
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand) with { Protocols = SslProtocols.Tls12 });
        using var pair = await SocketPair.CreateAsync();
        var server = context.AuthenticateAsync(pair.ServerStream, CancellationToken.None);
        Assert.That(async () => await ConnectClientAsync(pair.ClientStream, SslProtocols.Tls13), Throws.InstanceOf<Exception>());
        Assert.That(async () => await server, Throws.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>());
    }

    [Test]
    public async Task GarbageInsteadOfAClientHelloFailsAtOnce()
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        using var pair = await SocketPair.CreateAsync();
        var watch = Stopwatch.StartNew();
        var server = context.AuthenticateAsync(pair.ServerStream, CancellationToken.None);
        await pair.ClientStream.WriteAsync(Encoding.ASCII.GetBytes("a LOGIN demo demo\r\n" + new string('x', 20000)));
        var error = Assert.ThrowsAsync(Is.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>(), async () => await server)!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(TlsServerContext.DescribeFailure(error), Does.StartWith("not a TLS client hello").Or.StartWith("connection lost"));
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 })] // a record header promising 512 bytes that never come
    public async Task AStalledHandshakeTimesOut(byte[] sent)
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand) with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using var pair = await SocketPair.CreateAsync();
        var watch = Stopwatch.StartNew();
        var server = context.AuthenticateAsync(pair.ServerStream, CancellationToken.None);
        await pair.ClientStream.WriteAsync(sent);
        var error = Assert.ThrowsAsync<TimeoutException>(async () => await server)!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(error.Message, Is.EqualTo("TLS handshake not completed within 0.3 s"));
    }

    [Test]
    public async Task AStalledHandshakeTimesOutEvenWhenReadsIgnoreCancellation()
    {
        // Reads from a pipe on standard input do not notice cancellation; the timeout must hold anyway.
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand) with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        var server = context.AuthenticateAsync(new DuplexStream(new DeafStream(), Stream.Null), CancellationToken.None);
        Assert.ThrowsAsync<TimeoutException>(async () => await server.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task ShutdownCancelsTheHandshake()
    {
        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        using var pair = await SocketPair.CreateAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.That(async () => await context.AuthenticateAsync(pair.ServerStream, stop.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task TheChainInTheCertificateFileIsSent()
    {
        // root -> intermediate -> leaf; the file holds leaf, intermediate and root. The root itself
        // is left out of what is sent (SslStreamCertificateContext trims it), the intermediate is sent.
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CaRequest("CN=Test Root", rootKey).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediatePublic = CaRequest("CN=Test Intermediate", intermediateKey).Create(root, now.AddDays(-1), now.AddDays(20), [5, 6, 7, 8]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256).Create(intermediate, now.AddDays(-1), now.AddDays(10), [1, 2, 3, 4]);
        File.WriteAllText(_cert.CertificateFile, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n" + root.ExportCertificatePem() + "\n");
        File.WriteAllText(_cert.KeyFile, leafKey.ExportPkcs8PrivateKeyPem());

        var context = TlsServerContext.Load(_cert.Settings(TlsMode.OnDemand));
        using var pair = await SocketPair.CreateAsync();
        var server = context.AuthenticateAsync(pair.ServerStream, CancellationToken.None);
        var seen = new List<string>();
        await using var client = new SslStream(pair.ClientStream, leaveInnerStreamOpen: true, (_, _, chain, _) =>
        {
            seen.AddRange(chain!.ChainElements.Select(e => e.Certificate.Subject));
            return true;
        });
        await client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        await using var secure = await server;
        Assert.That(seen, Does.Contain("CN=Test Intermediate"));
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request;
    }

    private async Task<SslStream> ConnectClientAsync(Stream transport, SslProtocols protocols)
    {
        var client = new SslStream(transport, leaveInnerStreamOpen: true, (_, presented, _, _) => _cert.Accepts(presented));
        await client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols });
        return client;
    }

    /// <summary>A stream whose reads never complete and ignore cancellation, like a read from a pipe.</summary>
    private sealed class DeafStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(new TaskCompletionSource<int>().Task);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            new TaskCompletionSource<int>().Task;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
