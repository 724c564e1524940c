using System.Security.Authentication;
using Imap4d.Config;
using Imap4d.IO;
using Imap4d.Session;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// TLS as the hosts see it: the start-up check that every `tls-mode` which needs a certificate
/// has a usable one, and implicit TLS (`tls-mode connection`), a stage of the
/// <see cref="ConnectionGate"/> and so the same for inetd mode, the daemon's children and the
/// daemon's in-process sessions.
/// </summary>
public static class TlsConnection
{
    /// <summary>
    /// Whether sessions may run under <paramref name="tls"/>: false (logged as an error) when
    /// tls-mode is required or connection and the certificate cannot be used — never fall back
    /// to clear text there. With ondemand an unusable certificate only means no STARTTLS (logged).
    /// </summary>
    public static bool Check(TlsSettings tls, TlsContextCache cache, ILogger log, string where)
    {
        if (!tls.Enabled || cache.Get(tls, log) is not null)
        {
            return true;
        }

        if (tls.Mode == TlsMode.OnDemand)
        {
            log.Warn("{0}: tls-mode ondemand without a usable certificate: STARTTLS is not offered", where);
            return true;
        }

        log.Error("{0}: tls-mode {1} needs a usable ssl-certificate-file and ssl-key-file; refusing to serve", where, ModeName(tls.Mode));
        return false;
    }

    /// <summary>The start-up check for the daemon: the global settings and every `server` block.</summary>
    public static bool CheckAll(SessionServices services)
    {
        var settings = services.Settings;
        if (settings.Servers.Count == 0)
        {
            return Check(settings.Tls, services.TlsContexts, services.Log, "server *:" + settings.Port);
        }

        bool ok = true;
        foreach (var server in settings.Servers)
        {
            ok &= Check(server.ApplyTo(settings).Tls, services.TlsContexts, services.Log, $"server {server.Address}:{server.Port}");
        }

        return ok;
    }

    /// <summary>
    /// The streams a session runs on: <paramref name="input"/> and <paramref name="output"/>
    /// themselves, or for tls-mode connection one TLS stream over them once the handshake
    /// (bounded by handshake-timeout) is done. Null when the connection must be closed: the
    /// handshake failed or timed out, or TLS is needed but unusable. Logs why; never throws for
    /// client behaviour.
    /// </summary>
    public static async Task<(Stream Input, Stream Output)?> SecureAsync(
        SessionServices services, Stream input, Stream output, ConnectionInfo connection, CancellationToken ct)
    {
        var mode = services.Settings.Tls.Mode;
        if (mode is TlsMode.None or TlsMode.OnDemand)
        {
            return (input, output);
        }

        if (services.Tls is not { } tls)
        {
            services.Log.Error("closing connection from {0}: tls-mode {1} but no usable certificate", connection.ClientText, ModeName(mode));
            return null;
        }

        if (mode == TlsMode.Required)
        {
            return (input, output);
        }

        try
        {
            // Over pipes (inetd with standard input and output apart) TLS needs them joined.
            var transport = ReferenceEquals(input, output) ? input : new DuplexStream(input, output);
            var secure = await tls.AuthenticateAsync(transport, ct).ConfigureAwait(false);
            services.Log.Info("TLS: {0} negotiated with {1}", TlsServerContext.Describe(secure), connection.ClientText);
            return (secure, secure);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or TimeoutException or ObjectDisposedException)
        {
            services.Log.Warn("TLS handshake with {0} failed: {1}", connection.ClientText, TlsServerContext.DescribeFailure(e));
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return null; // shutting down
        }
    }

    private static string ModeName(TlsMode mode) => mode == TlsMode.Required ? "required" : "connection";
}
