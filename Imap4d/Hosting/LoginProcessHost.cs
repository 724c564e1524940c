using System.Net.Sockets;
using Imap4d.Commands;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// The login process (daemon mode with `login-process yes`): one process, started by the
/// daemon with a channel to it, that serves every unauthenticated connection asynchronously as
/// the unprivileged `login-user`. It loads what needs root first (the configuration, TLS
/// certificates and keys), drops to the login user for good (<see cref="LoginUserSwitch"/>),
/// then receives accepted connections from the daemon and runs for each the connection checks
/// (PROXY header, acl, TLS), the greeting and the commands allowed before login. LOGIN and
/// AUTHENTICATE send the credentials to the daemon (<see cref="LoginForwarder"/>), which checks
/// them and hands the connection to a process running as the user. At most
/// `max-login-connections` wait here; the oldest is closed to make room for a new one.
/// </summary>
public static class LoginProcessHost
{
    /// <summary>How long TLS relays get to finish once the process is told to stop.</summary>
    private static readonly TimeSpan RelayGrace = TimeSpan.FromSeconds(3);

    public static int Run(SessionServices services, int channelFd, CancellationToken stop)
    {
        var log = services.Log;
        if (!TlsConnection.CheckAll(services))
        {
            return ExitCodes.Config;
        }

        // Every server block's certificate is loaded now, while the key files can still be read.
        if (LoginUserSwitch.Switch(services.Settings.Daemon.LoginUser, log) is { } failure)
        {
            log.Error("login process: cannot switch to login-user {0}: {1}", services.Settings.Daemon.LoginUser, failure);
            return ExitCodes.Config;
        }

        var connections = new PreLoginConnections(services.Settings.Daemon.MaxLoginConnections);
        var commands = CommandRegistry.CreateDefault();
        var tasks = new HashSet<Task>();
        using var channel = new LoginChannel(channelFd, log);
        using var preLogin = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var relays = new CancellationTokenSource();
        channel.ConnectionArrived += socket =>
        {
            var task = ServeAsync(services, commands, channel, connections, socket, preLogin.Token, relays.Token);
            lock (tasks)
            {
                tasks.Add(task);
            }

            _ = task.ContinueWith(t =>
            {
                lock (tasks)
                {
                    tasks.Remove(t);
                }
            }, TaskScheduler.Default);
        };
        var retired = new TaskCompletionSource();
        channel.Retired += () => retired.TrySetResult();
        channel.Start();
        log.Debug("login process ready, running as uid {0}", Mono.Unix.Native.Syscall.getuid());
        var ended = Task.WhenAny(channel.Closed, Task.Delay(Timeout.Infinite, stop), retired.Task).GetAwaiter().GetResult();
        if (ended == retired.Task)
        {
            // Replaced after SIGHUP: the connections held here finish (log in, time out, or leave) first.
            log.Info("login process retired; exiting when its {0} connection(s) end", tasks.Count);
            WaitForAll(tasks, channel.Closed, stop);
        }

        preLogin.Cancel();
        Task[] running;
        lock (tasks)
        {
            running = [.. tasks];
        }

        if (!Task.WaitAll(running, RelayGrace))
        {
            relays.Cancel();
            Task.WaitAll(running, TimeSpan.FromSeconds(2));
        }

        return ExitCodes.Ok;
    }

    private static void WaitForAll(HashSet<Task> tasks, Task closed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !closed.IsCompleted)
        {
            Task[] running;
            lock (tasks)
            {
                running = [.. tasks];
            }

            if (running.Length == 0)
            {
                return;
            }

            Task.WaitAny([Task.WhenAll(running), closed, Task.Delay(Timeout.Infinite, stop)]);
        }
    }

    private static async Task ServeAsync(
        SessionServices services, CommandRegistry commands, LoginChannel channel, PreLoginConnections connections,
        Socket socket, CancellationToken stop, CancellationToken relayStop)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        TlsRelay? relay = null;
        var connection = ConnectionInfo.FromSocket(socket);
        var tracked = new PreLoginConnection(cancel, connection.ClientText);
        try
        {
            if (connections.Add(tracked) is { } evicted)
            {
                services.Log.Info("closing the oldest unauthenticated connection, from {0}: max-login-connections reached", evicted.Client);
            }

            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            using var stream = new NetworkStream(socket, ownsSocket: false);
            var admitted = await new ConnectionGate(services).AdmitAsync(stream, stream, connection, SessionStart.Normal, cancel.Token).ConfigureAwait(false);
            if (admitted is null)
            {
                return;
            }

            var forwarder = new LoginForwarder(channel, socket, tracked);
            var session = new ImapSession(admitted.Services, commands, admitted.Connection) { LoginForwarder = forwarder };
            tracked.Session = session;
            if (cancel.IsCancellationRequested)
            {
                session.CancelText = PreLoginConnections.EvictedText;
            }

            await session.RunAsync(admitted.Input, admitted.Output, admitted.Start, cancel.Token).ConfigureAwait(false);
            connections.Remove(tracked);
            if (forwarder.Relay is { } handedOff)
            {
                relay = handedOff;
                await relay.RunAsync(relayStop).ConfigureAwait(false);
                if (admitted.Input is IDisposable tls)
                {
                    tls.Dispose();
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            services.Log.Debug("connection from {0} ended: {1}", connection.ClientText, e.Message);
        }
        catch (Exception e)
        {
            services.Log.Error(e, "connection from {0} failed", connection.ClientText);
        }
        finally
        {
            connections.Remove(tracked);
            relay?.Dispose();
            socket.Dispose();
        }
    }
}
