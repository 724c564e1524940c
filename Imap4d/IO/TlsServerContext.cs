using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Imap4d.Config;

namespace Imap4d.IO;

/// <summary>
/// The server side of TLS for one `tls` block: the certificate with its key and chain, loaded
/// once, and the handshake, bounded by `handshake-timeout`. The one place that runs a handshake,
/// for STARTTLS and for implicit TLS alike. Safe to share between concurrent connections.
/// </summary>
public sealed class TlsServerContext
{
    private readonly SslStreamCertificateContext _certificate;

    private TlsServerContext(TlsSettings settings, X509Certificate2 certificate, SslStreamCertificateContext context, IReadOnlyList<string> warnings)
    {
        Settings = settings;
        Certificate = certificate;
        _certificate = context;
        Warnings = warnings;
    }

    public TlsSettings Settings { get; }

    /// <summary>The server certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Things worth logging about the certificate (expired, not yet valid).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Loads the PEM certificate (and the chain that follows it in the same file), its key
    /// (`ssl-key-file`, else the certificate file) and, when set, the CA file.
    /// Throws <see cref="TlsSetupException"/> with a message naming the file and the cause.
    /// </summary>
    public static TlsServerContext Load(TlsSettings settings)
    {
        string certFile = settings.CertificateFile ?? throw new TlsSetupException("no ssl-certificate-file is configured");
        string keyFile = settings.KeyFile ?? certFile;
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            chain.ImportFromPemFile(certFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new TlsSetupException($"cannot load the certificate {certFile} with the key {keyFile}: {Describe(e)}", e);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new TlsSetupException($"no private key for the certificate {certFile} in {keyFile}");
        }

        if (settings.CaFile is { } caFile)
        {
            LoadCaFile(caFile);
        }

        var warnings = new List<string>();
        if (KeyReadableByOthers(keyFile))
        {
            warnings.Add($"the key file {keyFile} can be read by group or others; make it mode 600 or 400");
        }

        var now = DateTime.Now;
        if (certificate.NotAfter < now)
        {
            warnings.Add($"the certificate {certFile} expired on {certificate.NotAfter:yyyy-MM-dd HH:mm}");
        }
        else if (certificate.NotBefore > now)
        {
            warnings.Add($"the certificate {certFile} is not valid before {certificate.NotBefore:yyyy-MM-dd HH:mm}");
        }

        // The leaf itself is not part of the chain sent after it.
        var intermediates = new X509Certificate2Collection();
        foreach (var cert in chain)
        {
            if (cert.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(cert);
            }
        }

        // offline: the chain is built from what the file holds, never fetched over the network.
        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new TlsServerContext(settings, certificate, context, warnings);
    }

    /// <summary>
    /// Runs the server handshake over <paramref name="transport"/> (left open when the returned
    /// stream is disposed, since the host owns it). Throws <see cref="TimeoutException"/> when it
    /// takes longer than `handshake-timeout`, <see cref="AuthenticationException"/> or
    /// <see cref="IOException"/> when the client fails it, and <see cref="OperationCanceledException"/>
    /// when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<SslStream> AuthenticateAsync(Stream transport, CancellationToken ct)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Settings.HandshakeTimeout);
        try
        {
            // WaitAsync as well: a read from a pipe does not notice cancellation, and a stalled
            // client must not hold the session past the timeout.
            await ssl.AuthenticateAsServerAsync(CreateOptions(), deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Dispose(ssl);
            throw new TimeoutException($"TLS handshake not completed within {Settings.HandshakeTimeout.TotalSeconds:0.###} s");
        }
        catch
        {
            Dispose(ssl);
            throw;
        }
    }

    /// <summary>"TLSv1.3 TLS_AES_256_GCM_SHA384", for the log.</summary>
    public static string Describe(SslStream ssl) => $"{ProtocolName(ssl.SslProtocol)} {ssl.NegotiatedCipherSuite}";

    /// <summary>Why a handshake failed, for the log (exception texts are resource keys in this build).</summary>
    public static string DescribeFailure(Exception e) => e switch
    {
        TimeoutException => e.Message,
        AuthenticationException => $"not a TLS client hello, or no protocol version or cipher in common ({e.Message}{Inner(e)})",
        IOException => $"connection lost during the handshake ({e.Message}{Inner(e)})",
        _ => e.Message,
    };

    private static string Inner(Exception e) => e.InnerException is { } inner ? ": " + inner.Message : "";

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private SslServerAuthenticationOptions CreateOptions() => new()
    {
        ServerCertificateContext = _certificate,
        EnabledSslProtocols = Settings.Protocols,
        ClientCertificateRequired = false,
        // Client-initiated renegotiation only costs the server CPU.
        AllowRenegotiation = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    private static bool KeyReadableByOthers(string keyFile)
    {
        try
        {
            return (File.GetUnixFileMode(keyFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void LoadCaFile(string caFile)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new TlsSetupException($"cannot load the CA file {caFile}: {Describe(e)}", e);
        }

        if (authorities.Count == 0)
        {
            throw new TlsSetupException($"no certificate in the CA file {caFile}");
        }
    }

    private static void Dispose(SslStream ssl)
    {
        try
        {
            ssl.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>A cause a reader understands, also with UseSystemResourceKeys (which shortens messages to resource keys).</summary>
    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        CryptographicException or ArgumentException => $"not a usable unencrypted PEM certificate or key ({e.Message})",
        _ => e.Message,
    };
}
