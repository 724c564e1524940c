using System.Net.Sockets;
using Imap4d.Auth;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's side of the login process: starts it (again when it dies, backing off when it
/// keeps dying), gives it every accepted connection, and answers its credential checks. A
/// check runs the login policy (<see cref="LoginService"/>) on the thread pool, off the accept
/// path; on success the connection and its state go to a process that becomes the user
/// (<see cref="HandOff"/>). Everything the login process sends is a stranger's input at one
/// remove: sizes are bounded, messages are validated, and nothing it sends ends the daemon.
/// </summary>
public sealed class LoginSupervisor : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ChildSpawner _spawner;
    private readonly ChildProcesses _children;
    private readonly SessionServices _services;
    private readonly Func<int, PostLoginHandoff, (LoginVerdict Verdict, int? Pid)> _handOff;
    private readonly object _lock = new();
    private Socket? _channel;
    private int _pid;
    private int _failures;
    private DateTime _startedAt;
    private volatile bool _stopped;

    /// <param name="handOff">Gives an authenticated connection to a session process; the descriptor stays the caller's.</param>
    public LoginSupervisor(ChildSpawner spawner, ChildProcesses children, SessionServices services,
        Func<int, PostLoginHandoff, (LoginVerdict Verdict, int? Pid)> handOff)
    {
        _spawner = spawner;
        _children = children;
        _services = services;
        _handOff = handOff;
        _children.Exited += OnChildExited;
    }

    /// <summary>The running login process, 0 while there is none.</summary>
    public int Pid => Volatile.Read(ref _pid);

    public void Start() => StartProcess();

    /// <summary>
    /// Gives an accepted connection to the login process (queued in the channel while it is
    /// starting); false when it cannot take it now. The descriptor stays the caller's to close.
    /// </summary>
    public bool TryHandOff(Socket client)
    {
        Socket? channel;
        lock (_lock)
        {
            channel = _channel;
        }

        if (channel is null)
        {
            return false;
        }

        try
        {
            DescriptorPassing.SendPacket((int)channel.Handle, LoginMessages.EncodeConnection(), (int)client.Handle, dontWait: true);
            return true;
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            _services.Log.Warn("cannot pass a connection to the login process: {0}", e.Message);
            return false;
        }
    }

    /// <summary>
    /// SIGHUP: a new login process (which reads the configuration, certificates included, when
    /// it starts) takes the new connections; the old one finishes those it holds, then exits.
    /// </summary>
    public void Replace()
    {
        Socket? old;
        lock (_lock)
        {
            old = _channel;
            _pid = 0; // its end is no longer restarted
        }

        StartProcess();
        if (old is not null)
        {
            try
            {
                DescriptorPassing.SendPacket((int)old.Handle, [LoginMessages.Retire], -1, dontWait: true);
            }
            catch (Exception e) when (e is NativeError or ObjectDisposedException)
            {
                _services.Log.Debug("cannot retire the old login process: {0}", e.Message);
            }
        }
    }

    public void Stop()
    {
        _stopped = true;
    }

    public void Dispose()
    {
        _stopped = true;
        _children.Exited -= OnChildExited;
        lock (_lock)
        {
            _channel?.Dispose();
            _channel = null;
        }
    }

    private void StartProcess()
    {
        if (_stopped)
        {
            return;
        }

        var (ours, theirs) = FileDescriptors.CreatePacketPair();
        int pid;
        try
        {
            pid = _spawner.SpawnLogin(theirs);
        }
        catch (NativeError e)
        {
            FileDescriptors.Close(ours);
            _services.Log.Error("cannot start the login process: {0}", e.Message);
            ScheduleRestart();
            return;
        }
        finally
        {
            FileDescriptors.Close(theirs);
        }

        var channel = new Socket(new SafeSocketHandle(ours, ownsHandle: true));
        lock (_lock)
        {
            _channel = channel; // the previous one (if any) is closed by its receiving thread when that process ends

            _pid = pid;
            _startedAt = DateTime.UtcNow;
        }

        _children.Add(pid, ChildKind.Login);
        _services.Log.Info("login process {0} started", pid);
        new Thread(() => ReceiveLoop(channel)) { IsBackground = true, Name = "imap4d login process channel" }.Start();
    }

    private void OnChildExited(int pid, ChildKind kind, ChildExit exit)
    {
        if (kind != ChildKind.Login || pid != Pid)
        {
            return;
        }

        bool quick;
        lock (_lock)
        {
            _pid = 0;
            quick = DateTime.UtcNow - _startedAt < TimeSpan.FromSeconds(5);
        }

        if (_stopped)
        {
            return;
        }

        _services.Log.Warn("login process {0} ended ({1}); starting a new one", pid, exit);
        _failures = quick ? _failures + 1 : 0;
        if (_failures == 0)
        {
            StartProcess();
        }
        else
        {
            ScheduleRestart();
        }
    }

    private void ScheduleRestart()
    {
        int failures = Math.Max(1, _failures);
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
        _ = Task.Delay(delay).ContinueWith(_ => StartProcess(), TaskScheduler.Default);
    }

    private void ReceiveLoop(Socket channel)
    {
        var buffer = new byte[LoginMessages.MaxMessage];
        int fd = -1;
        try
        {
            while (true)
            {
                int n = DescriptorPassing.ReceivePacket((int)channel.Handle, buffer, out fd, out bool truncated);
                if (n == 0)
                {
                    return;
                }

                if (truncated || buffer[0] != LoginMessages.Credentials || fd < 0 || n < 5)
                {
                    _services.Log.Warn("ignoring a malformed message from the login process");
                    CloseIfOpen(ref fd);
                    continue;
                }

                int id = BitConverter.ToInt32(buffer, 1);
                CredentialsRequest request;
                try
                {
                    request = LoginMessages.DecodeCredentials(buffer.AsSpan(1, n - 1));
                }
                catch (Exception e)
                {
                    // Untrusted input: whatever the decoder throws means "malformed", never the daemon's end.
                    _services.Log.Warn("malformed credentials from the login process: {0}", e.Message);
                    CloseIfOpen(ref fd);
                    Reply(channel, id, LoginVerdict.Unavailable);
                    continue;
                }

                int connection = fd;
                fd = -1;
                _ = Task.Run(() => CheckAsync(channel, request, connection));
            }
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            if (!_stopped)
            {
                _services.Log.Debug("login process channel ended: {0}", e.Message);
            }
        }
        catch (Exception e)
        {
            // An exception on this thread would end the daemon; the login process is restarted instead.
            _services.Log.Error(e, "reading the login process's channel failed");
            KillLoginProcess(channel);
        }
        finally
        {
            CloseIfOpen(ref fd);
            lock (_lock)
            {
                if (ReferenceEquals(_channel, channel))
                {
                    _channel = null;
                }
            }

            channel.Dispose();
        }
    }

    private async Task CheckAsync(Socket channel, CredentialsRequest request, int connection)
    {
        var verdict = LoginVerdict.Unavailable;
        string? text = null;
        try
        {
            (verdict, text) = await AuthenticateAsync(request, connection).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _services.Log.Error(e, "checking a login from the login process failed");
        }
        finally
        {
            FileDescriptors.Close(connection);
        }

        Reply(channel, request.Id, verdict, text);
    }

    private async Task<(LoginVerdict, string?)> AuthenticateAsync(CredentialsRequest request, int connection)
    {
        var handoff = request.Handoff;
        var client = handoff.Connection;
        if (_services.ForConnection(client).Settings is var settings && Commands.LoginPolicy.IsDisabled(settings, handoff.Tls))
        {
            return (LoginVerdict.Denied, "LOGIN is disabled"); // the login process refuses these itself; never trust that
        }

        LoginOutcome outcome;
        var loginRequest = new LoginRequest(request.LoginName, request.Password, request.AuthorizationIdentity, request.Mechanism,
            client.RemoteAddress, client.ClientText);
        if (_services.Login is { } login)
        {
            outcome = await login.LoginAsync(loginRequest, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            return (LoginVerdict.Unavailable, null);
        }

        if (outcome.Blocked)
        {
            return (LoginVerdict.Blocked, null);
        }

        if (outcome.Unavailable)
        {
            return (LoginVerdict.Unavailable, null);
        }

        if (outcome.User is not { } user)
        {
            return (LoginVerdict.Refused, null);
        }

        if (Mono.Unix.Native.Syscall.geteuid() == 0 && (user.Uid is null or 0 || user.Gid is null))
        {
            _services.Log.Error("account {0} has no uid and gid to switch to, or uid 0; refusing to serve it", user.Name);
            return (LoginVerdict.Denied, "Cannot switch to the user");
        }

        string how = outcome.Administrator is { } admin ? $"{request.Mechanism}, by administrator {admin}" : request.Mechanism;
        var (verdict, pid) = _handOff(connection, new PostLoginHandoff(user, how, handoff));
        if (pid is int session)
        {
            _services.Log.Info("login of {0} from {1}: session process {2}", user.Name, client.ClientText, session);
        }

        return (verdict, null);
    }

    private void Reply(Socket channel, int id, LoginVerdict verdict, string? text = null)
    {
        try
        {
            lock (channel)
            {
                DescriptorPassing.SendPacket((int)channel.Handle, LoginMessages.EncodeReply(id, verdict, text), -1);
            }
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            _services.Log.Debug("cannot answer the login process: {0}", e.Message);
        }
    }

    private void KillLoginProcess(Socket channel)
    {
        int pid;
        lock (_lock)
        {
            pid = ReferenceEquals(_channel, channel) ? _pid : 0;
        }

        if (pid > 0)
        {
            ProcessControl.Signal(pid, ProcessControl.SigKill);
        }
    }

    private static void CloseIfOpen(ref int fd)
    {
        if (fd >= 0)
        {
            FileDescriptors.Close(fd);
            fd = -1;
        }
    }
}
