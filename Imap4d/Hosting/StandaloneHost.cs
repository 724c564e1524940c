using System.Net;
using System.Net.Sockets;
using System.Text;
using Imap4d.Commands;
using Imap4d.Config;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// Daemon mode: listens on every `server` block (or on `port`), and serves each accepted
/// connection, at most `max-children` at once; a connection over the limit is told
/// "* BYE Too many connections" instead of being dropped silently.
/// In this release every connection is served inside the daemon process (GNU's
/// `single-process`); per-connection child processes come with system authentication.
/// </summary>
public sealed class StandaloneHost
{
    private readonly SessionServices _services;
    private readonly int _maxChildren;
    private int _active;

    public StandaloneHost(SessionServices services, int maxChildren)
    {
        _services = services;
        _maxChildren = Math.Max(1, maxChildren);
    }

    /// <summary>Binds every listener; throws SocketException when an address cannot be bound.</summary>
    public IReadOnlyList<Socket> Bind()
    {
        var settings = _services.Settings;
        var endpoints = settings.Servers.Count > 0
            ? settings.Servers
            : [new ListenerSettings("0.0.0.0", settings.Port)];
        var sockets = new List<Socket>();
        foreach (var server in endpoints)
        {
            var address = ResolveAddress(server.Address);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = address.Equals(IPAddress.IPv6Any);
            }

            socket.Bind(new IPEndPoint(address, server.Port));
            socket.Listen(server.Backlog ?? 128);
            sockets.Add(socket);
            _services.Log.Info("listening on {0}", socket.LocalEndPoint);
        }

        return sockets;
    }

    /// <summary>Accepts and serves connections until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(IReadOnlyList<Socket> listeners, CancellationToken ct)
    {
        var sessions = new List<Task>();
        var loops = listeners.Select(l => AcceptLoopAsync(l, sessions, ct)).ToList();
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }

        Task[] running;
        lock (sessions)
        {
            running = sessions.ToArray();
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(Socket listener, List<Task> sessions, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                _services.Log.Warn("accept failed: {0}", e.Message);
                continue;
            }

            if (Interlocked.Increment(ref _active) > _maxChildren)
            {
                Interlocked.Decrement(ref _active);
                _services.Log.Warn("refusing connection from {0}: too many connections", client.RemoteEndPoint);
                RefuseBusy(client);
                continue;
            }

            var task = ServeAsync(client, ct);
            lock (sessions)
            {
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        try
        {
            client.NoDelay = true;
            var connection = ConnectionInfo.FromSocket(client);
            _services.Log.Info("connect from {0}", connection.ClientText);
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var admitted = await new ConnectionGate(_services).AdmitAsync(stream, stream, connection, SessionStart.Normal, ct).ConfigureAwait(false);
            if (admitted is null)
            {
                return;
            }

            var session = new ImapSession(admitted.Services, CommandRegistry.CreateDefault(), admitted.Connection);
            await session.RunAsync(admitted.Input, admitted.Output, admitted.Start, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _services.Log.Error(e, "session failed");
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static void RefuseBusy(Socket client)
    {
        try
        {
            client.Send(Encoding.ASCII.GetBytes("* BYE Too many connections\r\n"));
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static IPAddress ResolveAddress(string address)
    {
        if (address is "" or "*" or "0.0.0.0")
        {
            return IPAddress.Any;
        }

        if (IPAddress.TryParse(address.Trim('[', ']'), out var ip))
        {
            return ip;
        }

        return Dns.GetHostAddresses(address).First();
    }
}
