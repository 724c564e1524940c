using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// What the end-to-end TLS tests share: the demo account (demo/demo, the mbox INBOX of
/// etc/demo) in a temporary directory and a self-signed certificate for localhost and
/// 127.0.0.1 made with `openssl req`, as an administrator would.
/// </summary>
public sealed class TlsEnvironment : IDisposable
{
    private int _configs;

    private TlsEnvironment(string dir) => Dir = dir;

    public string Dir { get; }

    public string CertificateFile => Path.Combine(Dir, "cert.pem");

    public string KeyFile => Path.Combine(Dir, "key.pem");

    /// <summary>The `tls` block naming the certificate and key.</summary>
    public string TlsBlock => $"tls {{ ssl-certificate-file \"{CertificateFile}\"; ssl-key-file \"{KeyFile}\"; }}\n";

    /// <summary>Creates it; ignores the test when openssl is missing.</summary>
    public static TlsEnvironment Create()
    {
        if (RepoPaths.FindProgram("openssl") is null)
        {
            Assert.Ignore("openssl is not installed");
        }

        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-tls-{Guid.NewGuid():N}");
        DemoDaemonTests.WriteDemo(dir, ServerProcess.FreePort(), extra: "");
        var environment = new TlsEnvironment(dir);
        var (code, output) = ExternalProgram.Run("openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", environment.KeyFile, "-out", environment.CertificateFile,
        ]);
        Assert.That(code, Is.EqualTo(0), "openssl req: " + output);
        return environment;
    }

    /// <summary>
    /// A configuration file: the demo's (daemon mode, virtual user, mbox INBOX, a `server` block
    /// on <paramref name="port"/> or on an unused port) followed by <paramref name="extra"/>.
    /// </summary>
    public string Config(string extra, int? port = null)
    {
        string demo = File.ReadAllText(Path.Combine(Dir, "imap4d.conf"));
        if (port is { } p)
        {
            demo = System.Text.RegularExpressions.Regex.Replace(demo, @"server 127\.0\.0\.1:\d+", $"server 127.0.0.1:{p}");
        }

        string path = Path.Combine(Dir, $"tls-{Interlocked.Increment(ref _configs)}.conf");
        File.WriteAllText(path, demo + extra);
        return path;
    }

    /// <summary>Runs a python3 script; returns its output (failing the test on a non-zero exit).</summary>
    public static string Python(string script)
    {
        var (code, output) = ExternalProgram.Run("python3", ["-c", script]);
        Assert.That(code, Is.EqualTo(0), "python3: " + output);
        return output;
    }

    /// <summary>`openssl s_client` against 127.0.0.1:<paramref name="port"/> with the lines of <paramref name="input"/> sent CRLF-terminated.</summary>
    public string SClient(int port, string input, params string[] options)
    {
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", CertificateFile, "-crlf", "-ign_eof" };
        args.AddRange(options);
        return ExternalProgram.Run("openssl", args, input, TimeSpan.FromSeconds(30)).Output;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
