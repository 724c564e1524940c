using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Imap4d.Config;

namespace Imap4d.Tests.Support;

/// <summary>
/// A self-signed certificate for "localhost" / 127.0.0.1 made in process (no openssl needed),
/// written as PEM files into a temporary directory that the caller deletes.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    private TestCertificate(string directory, X509Certificate2 certificate)
    {
        Directory = directory;
        Certificate = certificate;
    }

    public string Directory { get; }

    public X509Certificate2 Certificate { get; }

    public string CertificateFile => Path.Combine(Directory, "cert.pem");

    public string KeyFile => Path.Combine(Directory, "key.pem");

    private static readonly Lazy<TestCertificate> SharedCertificate = new(() =>
    {
        var certificate = Create();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => certificate.Dispose();
        return certificate;
    });

    /// <summary>One certificate for the whole test run (transcripts), deleted when the test process exits.</summary>
    public static TestCertificate Shared => SharedCertificate.Value;

    public static TestCertificate Create(DateTimeOffset? notAfter = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-cert-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddDays(-1), notAfter ?? now.AddDays(30));
        File.WriteAllText(Path.Combine(dir, "cert.pem"), certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem() + "\n");
        File.SetUnixFileMode(Path.Combine(dir, "key.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new TestCertificate(dir, certificate);
    }

    /// <summary>TLS settings with this certificate and the given mode.</summary>
    public TlsSettings Settings(TlsMode mode) => new()
    {
        ConfiguredMode = mode,
        CertificateFile = CertificateFile,
        KeyFile = KeyFile,
    };

    /// <summary>A client-side check that accepts exactly this certificate.</summary>
    public bool Accepts(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString();

    public void Dispose()
    {
        Certificate.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
