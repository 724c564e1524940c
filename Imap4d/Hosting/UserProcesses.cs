using System.Net.Sockets;
using Imap4d.Auth;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's processes that run as a user (after the login process), by user: each serves
/// up to `sessions-per-user-process` of that user's connections at once, as Dovecot's
/// `client_limit`, so that a client opening five connections costs one process; one whose
/// sessions have all ended lingers `user-process-linger` for the user's next connection (a
/// login then costs no process start), then is told to leave. The process says on its channel
/// when a session ends (<see cref="PoolChannel.SessionEndedByte"/>); <see cref="PoolChannel.RetireByte"/>
/// tells it to exit once its sessions have ended.
/// </summary>
public sealed class UserProcesses : IDisposable
{
    private readonly int _limit;
    private readonly TimeSpan _linger;
    private readonly ILogger _log;
    private readonly Dictionary<string, List<UserProcess>> _byUser = new(StringComparer.Ordinal);
    private readonly Timer _sweep;
    private readonly OwnerUrlBroker? _urls;

    /// <param name="urls">Serves the URL channels processes pass (cross-user URLFETCH); null closes them.</param>
    public UserProcesses(int sessionsPerProcess, TimeSpan linger, ILogger log, OwnerUrlBroker? urls = null)
    {
        _urls = urls;
        _limit = Math.Max(1, sessionsPerProcess);
        _linger = linger < TimeSpan.Zero ? TimeSpan.Zero : linger;
        _log = log;
        _sweep = new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Sessions served by user processes now.</summary>
    public int SessionCount
    {
        get
        {
            lock (_byUser)
            {
                return _byUser.Values.Sum(list => list.Sum(p => p.Sessions));
            }
        }
    }

    /// <summary>Gives the connection to a process of <paramref name="user"/> with room for it; its pid, or null when there is none.</summary>
    public int? TryHandOff(UserInfo user, int connection, byte[] state)
    {
        lock (_byUser)
        {
            if (!_byUser.TryGetValue(Key(user), out var list))
            {
                return null;
            }

            foreach (var process in list.Where(p => p.Sessions < _limit).ToList())
            {
                if (Send(process.Channel, connection, state))
                {
                    process.Sessions++;
                    return process.Pid;
                }

                list.Remove(process); // gone: its read loop cleans up
            }

            return null;
        }
    }

    /// <summary>Records a process that has just been given its first connection of <paramref name="user"/>; owns the channel.</summary>
    public void Add(UserInfo user, int pid, Socket channel)
    {
        var process = new UserProcess(pid, Key(user), channel, user) { Sessions = 1 };
        lock (_byUser)
        {
            if (!_byUser.TryGetValue(process.Key, out var list))
            {
                _byUser[process.Key] = list = [];
            }

            list.Add(process);
        }

        _ = ReadLoopAsync(process);
    }

    /// <summary>Tells every process to exit once its sessions end (the daemon stops).</summary>
    public void RetireAll()
    {
        lock (_byUser)
        {
            foreach (var process in _byUser.Values.SelectMany(l => l))
            {
                Retire(process);
            }

            _byUser.Clear();
        }
    }

    public void Dispose()
    {
        _sweep.Dispose();
        RetireAll();
    }

    /// <summary>The descriptor with <see cref="PoolChannel.LoginByte"/>, then the state's length and bytes.</summary>
    internal static bool Send(Socket channel, int connection, byte[] state)
    {
        try
        {
            int fd = (int)channel.Handle;
            DescriptorPassing.Send(fd, connection, PoolChannel.LoginByte);
            var framed = new byte[4 + state.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(framed, state.Length);
            state.CopyTo(framed, 4);
            FileDescriptors.WriteAllWaiting(fd, framed);
            return true;
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            return false;
        }
    }

    private static string Key(UserInfo user) => $"{user.Name}\0{user.Uid}\0{user.Gid}\0{user.Home}";

    private async Task ReadLoopAsync(UserProcess process)
    {
        var peek = new byte[1];
        try
        {
            while (true)
            {
                // Waits without taking the byte: it is read with recvmsg, which also takes a descriptor sent with it.
                int n = await process.Channel.ReceiveAsync(peek, SocketFlags.Peek).ConfigureAwait(false);
                if (n <= 0)
                {
                    break;
                }

                byte tag;
                int fd;
                try
                {
                    if (!DescriptorPassing.Receive((int)process.Channel.Handle, out tag, out fd))
                    {
                        break;
                    }
                }
                catch (NativeError e) when (e.Errno == NativeError.EAGAIN)
                {
                    continue;
                }

                if (tag == PoolChannel.UrlChannelByte && fd >= 0 && _urls is not null)
                {
                    _urls.Serve(fd, process.User); // the user the daemon gave this process, not one it names
                    continue;
                }

                FileDescriptors.Close(fd);
                if (tag == PoolChannel.SessionEndedByte)
                {
                    SessionsEnded(process, 1);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or NativeError)
        {
        }

        lock (_byUser)
        {
            if (_byUser.TryGetValue(process.Key, out var list))
            {
                list.Remove(process);
                if (list.Count == 0)
                {
                    _byUser.Remove(process.Key);
                }
            }

            process.Sessions = 0;
        }

        process.Channel.Dispose();
    }

    private void SessionsEnded(UserProcess process, int count)
    {
        lock (_byUser)
        {
            process.Sessions = Math.Max(0, process.Sessions - count);
            if (process.Sessions == 0)
            {
                process.IdleSince = DateTime.UtcNow;
                if (_linger == TimeSpan.Zero)
                {
                    RetireLocked(process);
                }
            }
        }
    }

    private void Sweep()
    {
        var now = DateTime.UtcNow;
        lock (_byUser)
        {
            foreach (var process in _byUser.Values.SelectMany(l => l).Where(p => p.Sessions == 0 && now - p.IdleSince >= _linger).ToList())
            {
                RetireLocked(process);
            }
        }
    }

    private void RetireLocked(UserProcess process)
    {
        if (_byUser.TryGetValue(process.Key, out var list) && list.Remove(process) && list.Count == 0)
        {
            _byUser.Remove(process.Key);
        }

        Retire(process);
    }

    private void Retire(UserProcess process)
    {
        try
        {
            FileDescriptors.WriteAllWaiting((int)process.Channel.Handle, [PoolChannel.RetireByte], 1000);
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            _log.Debug("cannot retire user process {0}: {1}", process.Pid, e.Message);
        }
    }

    private sealed class UserProcess(int pid, string key, Socket channel, UserInfo user)
    {
        public UserInfo User => user;

        public int Pid => pid;

        public string Key => key;

        public Socket Channel => channel;

        public int Sessions { get; set; }

        public DateTime IdleSince { get; set; } = DateTime.UtcNow;
    }
}
