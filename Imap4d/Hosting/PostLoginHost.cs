using System.Net.Sockets;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.IO;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// A user process: a prestarted session process given a connection that logged in in the
/// login process (on fds 0 and 1: the client's socket, or under TLS the plain-text end of the
/// login process's relay). It becomes the user before it reads a byte from any client, writes
/// the login command's tagged OK, and serves the session, starting with the input the client
/// pipelined after the login command. Then, on its channel, it takes further connections of
/// the same user (<see cref="UserProcesses"/>), each a session of its own, telling the daemon
/// when one ends, until the daemon retires it and its last session has ended.
/// </summary>
public static class PostLoginHost
{
    public static async Task<int> RunAsync(SessionServices services, PostLoginHandoff first, int channel, CancellationToken ct)
    {
        var login = new OneSwitch(services.OnAuthenticated);
        var userServices = services.WithOnAuthenticated(login.SwitchAsync);
        if (services.StoreFactory is { } stores)
        {
            // Other users' URLs this process cannot read itself are resolved by the daemon.
            var daemon = new DaemonUrlChannel(channel, services.Settings.Limits.MaxAppendSize);
            userServices = userServices.WithOtherUserUrls(new OtherUserUrls(services.Settings, stores, daemon));
        }

        var sessions = new List<Task>();
        var changed = new SemaphoreSlim(0);
        bool retired = false;

        void Track(Task session)
        {
            SessionCaches.SessionStarted();
            lock (sessions)
            {
                sessions.Add(session);
            }

            _ = session.ContinueWith(_ =>
            {
                lock (sessions)
                {
                    sessions.Remove(session);
                }

                // The last session's end gives back, a moment later, what the sessions cached.
                SessionCaches.SessionEnded();
                Tell(channel, PoolChannel.SessionEndedByte);
                changed.Release();
            }, TaskScheduler.Default);
        }

        var firstSession = ServeAsync(userServices, first, 0, ownsDescriptor: false, ct);
        Track(firstSession);
        _ = firstSession.ContinueWith(_ => login.GiveUp(), TaskScheduler.Default);
        if (!await login.Done.ConfigureAwait(false))
        {
            // Not the user (refused, or the connection ended before): nothing else may run here.
            FileDescriptors.Close(channel);
            await WaitAllAsync(sessions).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var receiver = new Thread(() =>
        {
            while (PoolChannel.ReceiveLogin(channel) is { } next)
            {
                Track(ServeAsync(userServices, next.Login, next.Fd, ownsDescriptor: true, ct));
            }

            Volatile.Write(ref retired, true);
            changed.Release();
        }) { IsBackground = true, Name = "imap4d user process channel" };
        receiver.Start();

        while (true)
        {
            int running;
            lock (sessions)
            {
                running = sessions.Count;
            }

            if (running == 0 && (Volatile.Read(ref retired) || ct.IsCancellationRequested))
            {
                return ExitCodes.Ok;
            }

            try
            {
                await changed.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await WaitAllAsync(sessions).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
        }
    }

    private static async Task ServeAsync(SessionServices services, PostLoginHandoff login, int fd, bool ownsDescriptor, CancellationToken ct)
    {
        await Task.Yield();
        var state = login.State;
        var perServer = services.ForConnection(state.Connection);
        using var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: ownsDescriptor));
        try
        {
            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            await using var stream = new NetworkStream(socket, ownsSocket: false);
            Stream input = state.PendingInput.Length > 0 ? new SpliceStream(state.PendingInput, stream) : stream;
            var session = new ImapSession(perServer, CommandRegistry.CreateDefault(), state.Connection);
            var resumption = new LoginResumption(login.User, login.How, state.Tag, state.CommandName, state.Tls, state.Enabled, state.ClientId);
            await session.ResumeAsync(input, stream, resumption, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            services.Log.Debug("session ended: {0}", e.Message);
        }
        catch (Exception e)
        {
            services.Log.Error(e, "session failed");
        }
        finally
        {
            if (!ownsDescriptor)
            {
                // The first connection is fds 0 and 1: they must go too, or the client (or the TLS
                // relay) would not see the connection close while this process lingers.
                CloseStandardConnection();
            }
        }
    }

    private static void CloseStandardConnection()
    {
        try
        {
            int devNull = FileDescriptors.OpenDevNull();
            FileDescriptors.Duplicate(devNull, 0);
            FileDescriptors.Duplicate(devNull, 1);
            FileDescriptors.Close(devNull);
        }
        catch (NativeError)
        {
            FileDescriptors.Close(0);
            FileDescriptors.Close(1);
        }
    }

    private static async Task WaitAllAsync(List<Task> sessions)
    {
        Task[] running;
        lock (sessions)
        {
            running = [.. sessions];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static void Tell(int channel, byte message)
    {
        try
        {
            FileDescriptors.WriteAll(channel, [message]);
        }
        catch (NativeError)
        {
            // The daemon is gone or has closed our channel; nothing to tell.
        }
    }

    /// <summary>
    /// The privilege switch, once: the first login becomes the user; the daemon sends only that
    /// user's connections here afterwards, and anything else is refused.
    /// </summary>
    private sealed class OneSwitch(Func<UserInfo, CancellationToken, ValueTask<string?>>? hook)
    {
        private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private UserInfo? _user;

        /// <summary>True once the first login has switched; false when it was refused.</summary>
        public Task<bool> Done => _done.Task;

        /// <summary>The first session ended without reaching the switch.</summary>
        public void GiveUp() => _done.TrySetResult(false);

        public async ValueTask<string?> SwitchAsync(UserInfo user, CancellationToken ct)
        {
            if (_user is { } current)
            {
                return current.Name == user.Name && current.Uid == user.Uid && current.Gid == user.Gid ? null : "Cannot switch to the user";
            }

            string? refusal = hook is null ? null : await hook(user, ct).ConfigureAwait(false);
            if (refusal is null)
            {
                _user = user;
            }

            _done.TrySetResult(refusal is null);
            return refusal;
        }
    }
}
