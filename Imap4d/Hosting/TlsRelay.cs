using System.Net.Sockets;

namespace Imap4d.Hosting;

/// <summary>
/// After a login over TLS the login process keeps the TLS session and copies plain text
/// between it and the session process's end of a socket pair, as Dovecot's imap-login does:
/// the session process never holds the TLS keys and needs no TLS code. Each direction uses one
/// small buffer; the relay ends when the session process closes its end (or the client its
/// connection, which the session then sees as end of input).
/// </summary>
public sealed class TlsRelay(Stream tls, Socket session) : IDisposable
{
    private const int BufferSize = 16 * 1024;

    public async Task RunAsync(CancellationToken ct)
    {
        using var plain = new NetworkStream(session, ownsSocket: false);
        var toSession = CopyAsync(tls, plain, ct);
        var toClient = CopyAsync(plain, tls, ct);
        if (await Task.WhenAny(toSession, toClient).ConfigureAwait(false) == toSession)
        {
            // The client stopped sending: the session sees end of input, finishes, and closes.
            try
            {
                session.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            await toClient.ConfigureAwait(false);
        }
    }

    public void Dispose() => session.Dispose();

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n <= 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                await to.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException
            or System.Security.Authentication.AuthenticationException)
        {
        }
    }
}
