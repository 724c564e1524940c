using System.Net;
using System.Net.Sockets;
using System.Text;
using Imap4d.Commands;
using Imap4d.Config;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// Daemon mode: listens on every `server` block (or on `port`) and serves each accepted
/// connection in a process of its own, an inetd-mode copy of this program with the socket as
/// standard input and output: started for it, or prestarted and handed the socket
/// (<see cref="PrestartPool"/>). Connections of a `single-process` server are served inside
/// the daemon instead. At most `max-children` sessions run at once (idle prestarted processes
/// do not count); a connection over the limit is told "* BYE Too many connections" instead of
/// being dropped silently, as GNU does. On stop, listeners close, every child is sent
/// SIGTERM (a session answers "* BYE Server shutting down"), and those still running after
/// <see cref="ShutdownGrace"/> are killed.
/// </summary>
public sealed class StandaloneHost : IDisposable
{
    /// <summary>How long children get to end after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly SessionServices _services;
    private readonly int _maxChildren;
    private readonly ChildSpawner? _spawner;
    private readonly ChildProcesses? _children;
    private readonly PrestartPool? _pool;
    private readonly LoginSupervisor? _login;
    private readonly UserProcesses? _users;
    private readonly OwnerUrlBroker? _urls;
    private readonly object _admission = new();
    private int _inProcess;

    /// <param name="services">The services of in-process sessions (and the daemon's log).</param>
    /// <param name="maxChildren">The most sessions at once, in processes and in-process together.</param>
    /// <param name="spawner">Starts session processes; null serves every connection in-process.</param>
    /// <param name="prestart">Session processes kept started ahead of time.</param>
    /// <param name="loginProcess">Serve connections before login in the unprivileged login process
    /// (<see cref="LoginProcessHost"/>); max-children then counts logged-in sessions only.</param>
    public StandaloneHost(SessionServices services, int maxChildren, ChildSpawner? spawner = null, int prestart = 0, bool loginProcess = false)
    {
        _services = services;
        _maxChildren = Math.Max(1, maxChildren);
        _spawner = spawner;
        if (spawner is not null)
        {
            _children = new ChildProcesses(services.Log);
            if (prestart > 0 || loginProcess)
            {
                _pool = new PrestartPool(spawner, _children, prestart, services.Log);
            }

            if (loginProcess)
            {
                _login = new LoginSupervisor(spawner, _children, services, HandOffLogin);
                var daemon = services.Settings.Daemon;
                _urls = new OwnerUrlBroker(spawner.WorkerConfiguration, services.Log);
                _users = new UserProcesses(daemon.SessionsPerUserProcess, daemon.UserProcessLinger, services.Log, _urls);
            }
        }
    }

    /// <summary>The login process's pid, 0 when there is none (or no login process is used).</summary>
    public int LoginProcessPid => _login?.Pid ?? 0;

    /// <summary>The session processes and idle prestarted ones not yet reaped.</summary>
    public IReadOnlyList<int> ChildPids => _children?.Pids ?? [];

    /// <summary>Binds every listener; throws SocketException when an address cannot be bound.</summary>
    public IReadOnlyList<Listener> Bind()
    {
        var settings = _services.Settings;
        var endpoints = settings.Servers.Count > 0
            ? settings.Servers
            : [new ListenerSettings("0.0.0.0", settings.Port)];
        var listeners = new List<Listener>();
        try
        {
            foreach (var server in endpoints)
            {
                if (server.IsUnixSocket)
                {
                    listeners.Add(BindUnix(server));
                    continue;
                }

                var address = ResolveAddress(server.Address);
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                bool lmtp = server.Protocol == ListenerProtocol.Lmtp;
                listeners.Add(new Listener(socket, !lmtp && (_spawner is null || server.SingleProcess == true), server.Protocol));
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = address.Equals(IPAddress.IPv6Any);
                }

                socket.Bind(new IPEndPoint(address, server.Port));
                socket.Listen(server.Backlog ?? 128);
                _services.Log.Info("listening on {0}{1}{2}", socket.LocalEndPoint, listeners[^1].InProcess ? " (single process)" : "", lmtp ? " (LMTP)" : "");
            }
        }
        catch
        {
            foreach (var listener in listeners)
            {
                listener.Socket.Dispose();
            }

            throw;
        }

        return listeners;
    }

    /// <summary>
    /// A `server /path { protocol lmtp; }` block: a Unix-domain socket, replacing a stale one left
    /// by an earlier run, writable by every local user (an MTA's delivery agent runs as its own user).
    /// </summary>
    private Listener BindUnix(ListenerSettings server)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (IsSocketFile(server.Address))
            {
                File.Delete(server.Address);
            }

            // Bound and listening under a temporary name, then renamed: a client never finds
            // the path without a listener behind it (connection refused).
            string building = server.Address + ".new";
            if (IsSocketFile(building))
            {
                File.Delete(building);
            }

            socket.Bind(new UnixDomainSocketEndPoint(building));
            File.SetUnixFileMode(building, (UnixFileMode)0x1b6); // 0666
            socket.Listen(server.Backlog ?? 128);
            File.Move(building, server.Address, overwrite: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _services.Log.Info("listening on {0} ({1})", server.Address, server.Protocol == ListenerProtocol.Lmtp ? "LMTP" : "IMAP");
        return new Listener(socket, false, server.Protocol);
    }

    private static bool IsSocketFile(string path) =>
        Mono.Unix.Native.Syscall.lstat(path, out var status) == 0
        && (status.st_mode & Mono.Unix.Native.FilePermissions.S_IFMT) == Mono.Unix.Native.FilePermissions.S_IFSOCK;

    /// <summary>
    /// Replaces the idle prestarted processes (SIGHUP): each session process reads the
    /// configuration when it starts, so new sessions see the current file.
    /// </summary>
    public void RestartIdleChildren()
    {
        _pool?.Recycle();
        _login?.Replace();
    }

    /// <summary>Accepts and serves connections until <paramref name="ct"/> is cancelled, then stops every session.</summary>
    public async Task RunAsync(IReadOnlyList<Listener> listeners, CancellationToken ct)
    {
        _pool?.Start();
        _login?.Start();
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
                listener.Socket.Dispose();
            }
        }

        await StopChildrenAsync().ConfigureAwait(false);
        Task[] running;
        lock (sessions)
        {
            running = [.. sessions];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _login?.Dispose();
        _users?.Dispose();
        _urls?.Dispose();
        _pool?.Dispose();
        _children?.Dispose();
    }

    private async Task StopChildrenAsync()
    {
        if (_children is null)
        {
            return;
        }

        _login?.Stop();
        _users?.RetireAll();
        _pool?.Stop();
        _children.SignalAll(ProcessControl.SigTerm);
        if (!await _children.WaitForAllAsync(ShutdownGrace).ConfigureAwait(false))
        {
            _services.Log.Warn("killing {0} session process(es) still running after SIGTERM", _children.Count);
            _children.SignalAll(ProcessControl.SigKill);
            await _children.WaitForAllAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync(Listener listener, List<Task> sessions, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.Socket.AcceptAsync(ct).ConfigureAwait(false);
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

            if (listener.Protocol == ListenerProtocol.Lmtp)
            {
                ServeInChild(client, lmtp: true);
                continue;
            }

            if (!listener.InProcess && _login is not null)
            {
                ServeInLoginProcess(client);
                continue;
            }

            if (!listener.InProcess)
            {
                ServeInChild(client);
                continue;
            }

            bool admitted;
            lock (_admission)
            {
                admitted = SessionCount < _maxChildren;
                if (admitted)
                {
                    _inProcess++;
                }
            }

            if (!admitted)
            {
                RefuseBusy(client);
                continue;
            }

            var task = ServeInProcessAsync(client, ct);
            lock (sessions)
            {
                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(task);
            }
        }
    }

    private int SessionCount => _inProcess + (_children?.SessionCount ?? 0) + (_users?.SessionCount ?? 0);

    /// <summary>Gives the connection to a prestarted process, or starts one for it; the daemon keeps no copy.</summary>
    private void ServeInChild(Socket client, bool lmtp = false)
    {
        string peer = DescribePeer(client);
        int? pid = null;
        bool pooled = false;
        string? failure = null;
        lock (_admission)
        {
            if (SessionCount < _maxChildren)
            {
                try
                {
                    // The child expects a blocking socket, as inetd gives; the flag is shared with our copy.
                    client.Blocking = true;
                    pid = lmtp ? null : _pool?.TryHandOff(client);
                    pooled = pid is not null;
                    if (pid is null)
                    {
                        pid = lmtp ? _spawner!.SpawnLmtp((int)client.Handle) : _spawner!.SpawnSession((int)client.Handle);
                        _children!.Add(pid.Value, ChildKind.Session);
                    }
                }
                catch (Exception e) when (e is NativeError or SocketException)
                {
                    failure = e.Message;
                }
            }
        }

        if (pid is int child)
        {
            _services.Log.Info("connect from {0}: {1} process {2}{3}", peer, lmtp ? "LMTP" : "session", child, pooled ? " (prestarted)" : "");
            client.Dispose();
        }
        else if (failure is not null)
        {
            _services.Log.Error("cannot start a session process for {0}: {1}", peer, failure);
            client.Dispose();
        }
        else
        {
            RefuseBusy(client, lmtp);
        }
    }

    /// <summary>Passes the connection to the login process; the daemon keeps no copy.</summary>
    private void ServeInLoginProcess(Socket client)
    {
        if (_login!.TryHandOff(client))
        {
            _services.Log.Info("connect from {0}: login process {1}", DescribePeer(client), _login.Pid);
            client.Dispose();
        }
        else
        {
            RefuseBusy(client);
        }
    }

    /// <summary>A connection that logged in, to a session process, if max-children allows another session.</summary>
    private (LoginVerdict Verdict, int? Pid) HandOffLogin(int connection, PostLoginHandoff login)
    {
        lock (_admission)
        {
            if (SessionCount >= _maxChildren)
            {
                _services.Log.Warn("refusing the session of {0} from {1}: max-children sessions run already",
                    login.User.Name, login.State.Connection.ClientText);
                return (LoginVerdict.Busy, null);
            }

            byte[] state = login.Encode();
            if (_users!.TryHandOff(login.User, connection, state) is int shared)
            {
                return (LoginVerdict.HandedOff, shared);
            }

            if (_pool!.HandOffLogin(connection, state) is not { } started)
            {
                return (LoginVerdict.Unavailable, null);
            }

            _users.Add(login.User, started.Pid, started.Channel);
            return (LoginVerdict.HandedOff, started.Pid);
        }
    }

    private async Task ServeInProcessAsync(Socket client, CancellationToken ct)
    {
        // The sessions of this process share caches, which the last one's end gives back.
        SessionCaches.SessionStarted();
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
            lock (_admission)
            {
                _inProcess--;
            }

            SessionCaches.SessionEnded();
        }
    }

    private void RefuseBusy(Socket client, bool lmtp = false)
    {
        _services.Log.Warn("refusing connection from {0}: too many connections", DescribePeer(client));
        try
        {
            client.Send(Encoding.ASCII.GetBytes(lmtp ? "421 4.3.2 Too many connections, try again later\r\n" : "* BYE Too many connections\r\n"));
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

    private static string DescribePeer(Socket client) => ConnectionInfo.FromSocket(client).ClientText;

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
