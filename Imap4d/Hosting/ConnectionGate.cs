using System.Net;
using System.Text;
using Imap4d.Auth.Preauth;
using Imap4d.Config;
using Imap4d.Hosting.Proxy;
using Imap4d.Session;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// Everything that happens to a new connection before the greeting, the same for inetd mode,
/// the daemon's children and in-process (`single-process`) sessions, in this order:
/// the PROXY protocol header, the access control lists, implicit TLS, preauthentication.
/// A refused connection is answered here (or closed silently when the peer is a proxy that
/// sent garbage) and the caller just closes it.
/// </summary>
public sealed class ConnectionGate
{
    private const string AccessDenied = "Access denied";

    private readonly SessionServices _services;

    /// <param name="services">The process-wide services; the connection's `server` block is applied here.</param>
    public ConnectionGate(SessionServices services) => _services = services;

    /// <summary>
    /// Runs the checks on a connection whose first byte has not been read yet. Returns null
    /// when the connection is refused (already answered); never reads past what the checks need.
    /// </summary>
    /// <param name="start">How the session would start; a preauth user already in it (stdio, --preauth) is kept.</param>
    public async Task<GateOutcome?> AdmitAsync(Stream input, Stream output, ConnectionInfo connection, SessionStart start, CancellationToken ct)
    {
        var services = _services.ForConnection(connection);
        var settings = services.Settings;
        var log = services.Log;

        if (settings.Gate.ProxyProtocol && connection.IsSocket)
        {
            var proxied = await ReadProxyHeaderAsync(input, output, connection, settings.Gate, log, ct).ConfigureAwait(false);
            if (proxied is null)
            {
                return null;
            }

            connection = proxied;
        }

        // Unix-socket and stdio connections have no address to check (as mailutils accepts AF_UNIX).
        if (connection.RemoteEndPoint is IPEndPoint client
            && !await new AccessControl(log).IsAllowedAsync(settings.Gate, client, ct).ConfigureAwait(false))
        {
            log.Warn("access from {0} blocked", connection.ClientText);
            await RefuseAsync(output, AccessDenied).ConfigureAwait(false);
            return null;
        }

        // Implicit TLS (`tls-mode connection`): before anything else is read or written, as GNU
        // calls io_setio before imap4d_preauth_setup.
        if (await TlsConnection.SecureAsync(services, input, output, connection, ct).ConfigureAwait(false) is not { } secured)
        {
            return null;
        }

        (input, output) = secured;

        if (start.PreauthUser is null && settings.Preauth.Mode != PreauthMode.None)
        {
            var user = await PreauthenticateAsync(settings, log, connection, ct).ConfigureAwait(false);
            if (user is not null)
            {
                start = start with { PreauthUser = user, PreauthByPeer = true };
            }
            else if (settings.Preauth.Only)
            {
                log.Warn("closing connection from {0}: preauthentication failed and preauth-only is set", connection.ClientText);
                await RefuseAsync(output, "Preauthentication failed").ConfigureAwait(false);
                return null;
            }
        }

        return new GateOutcome(input, output, connection, services, start);
    }

    /// <summary>The connection with the header's client in place of the proxy, or null when refused.</summary>
    private static async Task<ConnectionInfo?> ReadProxyHeaderAsync(
        Stream input, Stream output, ConnectionInfo connection, GateSettings gate, ILogger log, CancellationToken ct)
    {
        // A Unix-socket peer is a local process that the socket's permissions already vouch for.
        if (connection.RemoteEndPoint is IPEndPoint peer && !gate.ProxyTrusted.Any(network => network.Contains(peer.Address)))
        {
            log.Warn("refusing connection from {0}: not a trusted PROXY protocol peer (proxy-trusted)", connection.ClientText);
            await RefuseAsync(output, AccessDenied).ConfigureAwait(false);
            return null;
        }

        ProxyHeader header;
        try
        {
            header = await ProxyHeaderReader.ReadAsync(input, gate.ProxyHeaderTimeout, ct).ConfigureAwait(false);
        }
        catch (ProxyHeaderException e)
        {
            // The peer is a proxy speaking nonsense, not an IMAP client: close without a word.
            log.Warn("closing connection from {0}: {1}", connection.ClientText, e.Message);
            return null;
        }

        if (!header.CarriesClient)
        {
            log.Info("PROXY v{0} header from {1} names no client; serving the proxy's own connection", header.Version, connection.ClientText);
            return connection;
        }

        var relayed = connection.WithRemote(header.Source!, header.Destination);
        log.Info("PROXY v{0} header from {1}: client {2}", header.Version, connection.ClientText, relayed.ClientText);
        return relayed;
    }

    private static async Task<Auth.UserInfo?> PreauthenticateAsync(ServerSettings settings, ILogger log, ConnectionInfo connection, CancellationToken ct)
    {
        var preauth = settings.Preauth;
        if (preauth.Mode == PreauthMode.Stdio)
        {
            // The daemon's own user (GNU do_preauth_stdio); inetd mode has set it up already.
            return CurrentUser.Get();
        }

        IPreauthProvider provider = preauth.Mode == PreauthMode.Ident
            ? new IdentPreauth(preauth, log, uid => Syscall.getpwuid(uid)?.pw_name)
            : new ProgramPreauth(preauth, log);
        string? name = await provider.GetUserAsync(
            connection.RemoteEndPoint as IPEndPoint, connection.ClientFacingLocalEndPoint as IPEndPoint, ct).ConfigureAwait(false);
        if (name is null)
        {
            return null;
        }

        var user = SessionServicesFactory.CreateUserDirectory(settings, message => log.Warn(message)).Lookup(name);
        if (user is null)
        {
            log.Info("preauth: user `{0}' nonexistent", name);
            return null;
        }

        log.Info("preauth ({0}): connection from {1} is user {2}", preauth.Mode.ToString().ToLowerInvariant(), connection.ClientText, user.Name);
        return user;
    }

    /// <summary>Best effort `* BYE` to a refused client; one that does not read is not waited for.</summary>
    private static async Task RefuseAsync(Stream output, string text)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await output.WriteAsync(Encoding.ASCII.GetBytes($"* BYE {text}\r\n"), timeout.Token).ConfigureAwait(false);
            await output.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
