using System.Buffers.Binary;
using System.Text;
using Imap4d.Native;
using Imap4d.Storage;
using NLog;

namespace Imap4d.Session;

/// <summary>
/// Tells a session at once when a mailbox it waits on changes: one inotify descriptor per
/// session, with watches on the directories of the mailboxes' <see cref="ChangeSource"/>s,
/// read by one thread that sleeps in poll(2) until the kernel reports something, so a session
/// that waits costs nothing while nothing changes. Each mailbox is registered under a key (the
/// selected mailbox, a NOTIFY mailbox name); <see cref="TakeChanged"/> says which keys saw an
/// event since the last call. A key that cannot be watched (inotify missing or disabled,
/// IMAP4D_INOTIFY=off, a network file system, the watch limit reached, a directory gone) is not
/// watched and its owner polls it instead: <see cref="IsWatched"/> says which.
/// </summary>
public sealed class ChangeWatcher : IDisposable
{
    /// <summary>Watched directories per session: a mailbox takes one to three (NOTIFY beyond that polls).</summary>
    public const int MaxWatches = 96;

    /// <summary>Set to "off" (or "0", "no") to never use inotify (tests of the polling fallback).</summary>
    public const string DisableVariable = "IMAP4D_INOTIFY";

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly object _gate = new();
    private readonly int _fd;
    private readonly int _stopRead;
    private readonly int _stopWrite;

    /// <summary>Per watch descriptor: the keys waiting on it and the entry name each cares about (null: any).</summary>
    private readonly Dictionary<int, List<(object Key, byte[]? Name, bool NamesOnly)>> _watches = [];

    /// <summary>Per key: its watch descriptors.</summary>
    private readonly Dictionary<object, List<int>> _keys = [];
    private readonly HashSet<object> _changed = [];

    /// <summary>Keys that wait for a directory to appear (see <see cref="Watch"/>).</summary>
    private readonly HashSet<object> _provisional = [];
    private TaskCompletionSource _signal = NewSignal();
    private Thread? _reader;
    private bool _disposed;
    private bool _stopped;

    private ChangeWatcher(int fd, int stopRead, int stopWrite)
    {
        _fd = fd;
        _stopRead = stopRead;
        _stopWrite = stopWrite;
    }

    /// <summary>False when inotify is switched off for this process by <see cref="DisableVariable"/>.</summary>
    public static bool Enabled { get; } =
        Environment.GetEnvironmentVariable(DisableVariable) is not ("off" or "0" or "no" or "false");

    /// <summary>A watcher, or null when inotify is off or cannot be had (then everything polls).</summary>
    public static ChangeWatcher? TryCreate()
    {
        if (!Enabled)
        {
            return null;
        }

        int fd = Inotify.Init();
        if (fd < 0)
        {
            Log.Info("inotify unavailable ({0}): mailboxes are polled", NativeError.FromLastError("inotify_init1").Message);
            return null;
        }

        var (stopRead, stopWrite) = FileDescriptors.CreatePipe();
        return new ChangeWatcher(fd, stopRead, stopWrite);
    }

    /// <summary>
    /// Watches <paramref name="sources"/> for <paramref name="key"/> (replacing what the key
    /// watched). False, with nothing watched for the key, when any source cannot be watched.
    /// </summary>
    public bool Watch(object key, IReadOnlyList<ChangeSource> sources)
    {
        lock (_gate)
        {
            RemoveKey(key);
            if (_disposed || _stopped || sources.Count == 0)
            {
                return false;
            }

            var added = new List<int>();
            foreach (var given in sources)
            {
                var source = given;
                if (!Directory.Exists(source.Directory) && Path.GetDirectoryName(source.Directory) is { } parent && Directory.Exists(parent))
                {
                    // Not there yet (an index directory made on first use): wait for it in its
                    // parent; when it appears the key fires and drops its watch, so that its owner
                    // watches it anew, this time with the directory.
                    source = new ChangeSource(parent, Path.GetFileName(source.Directory));
                    _provisional.Add(key);
                }

                int wd = AddWatch(source.Directory);
                if (wd < 0)
                {
                    _keys[key] = added;
                    RemoveKey(key);
                    return false;
                }

                if (!_watches.TryGetValue(wd, out var users))
                {
                    _watches[wd] = users = [];
                }

                users.Add((key, source.Name is null ? null : Encoding.UTF8.GetBytes(source.Name), source.NamesOnly));
                added.Add(wd);
            }

            _keys[key] = added;
            StartReader();
            return true;
        }
    }

    /// <summary>Stops watching for <paramref name="key"/>; a change already seen for it is forgotten.</summary>
    public void Unwatch(object key)
    {
        lock (_gate)
        {
            RemoveKey(key);
            _changed.Remove(key);
        }
    }

    /// <summary>True while every source of <paramref name="key"/> is watched (false after its directory went away).</summary>
    public bool IsWatched(object key)
    {
        lock (_gate)
        {
            return _keys.ContainsKey(key);
        }
    }

    /// <summary>How many directories are watched now (for tests and the limit).</summary>
    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>Completes when some key has a change not yet taken (at once when one is pending).</summary>
    public Task WhenChanged()
    {
        lock (_gate)
        {
            if (_changed.Count > 0 || _disposed)
            {
                return Task.CompletedTask;
            }

            if (_signal.Task.IsCompleted)
            {
                _signal = NewSignal();
            }

            return _signal.Task;
        }
    }

    /// <summary>The keys that saw a change since the last call (all of them after a queue overflow), and forgets them.</summary>
    public IReadOnlyCollection<object> TakeChanged()
    {
        lock (_gate)
        {
            if (_changed.Count == 0)
            {
                return [];
            }

            var taken = _changed.ToList();
            _changed.Clear();
            return taken;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _signal.TrySetResult();
        }

        if (_reader is null)
        {
            Close();
        }
        else
        {
            // The reader closes the descriptors when it sees the pipe's end: closing one under its
            // poll could hand the number to an unrelated open in the meantime.
            FileDescriptors.Close(_stopWrite);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int AddWatch(string directory)
    {
        if (_watches.Count >= MaxWatches)
        {
            Log.Debug("inotify: {0} directories watched already; {1} is polled", MaxWatches, directory);
            return -1;
        }

        if (Inotify.IsNetworkFileSystem(directory))
        {
            Log.Debug("inotify: {0} is on a network file system; polled", directory);
            return -1;
        }

        int wd = Inotify.AddWatch(_fd, directory, Inotify.MailboxEvents);
        if (wd < 0)
        {
            Log.Debug("inotify: cannot watch {0} ({1}); polled", directory, NativeError.FromLastError("inotify_add_watch").Message);
        }

        return wd;
    }

    private void RemoveKey(object key)
    {
        _provisional.Remove(key);
        if (!_keys.Remove(key, out var wds))
        {
            return;
        }

        foreach (int wd in wds)
        {
            if (_watches.TryGetValue(wd, out var users))
            {
                users.RemoveAll(u => Equals(u.Key, key));
                if (users.Count == 0)
                {
                    _watches.Remove(wd);
                    Inotify.RemoveWatch(_fd, wd);
                }
            }
        }
    }

    private void StartReader()
    {
        if (_reader is not null)
        {
            return;
        }

        _reader = new Thread(ReadEvents) { IsBackground = true, Name = "inotify" };
        _reader.Start();
    }

    private void ReadEvents()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (Inotify.WaitReadable(_fd, _stopRead, out bool events, out bool stop) && !stop)
            {
                if (!events)
                {
                    continue;
                }

                int length = Inotify.Read(_fd, buffer);
                if (length <= 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (length < 0 && (errno == NativeError.EINTR || errno == NativeError.EAGAIN))
                    {
                        continue;
                    }

                    Log.Warn("inotify read failed: {0}", NativeError.FromLastError("read").Message);
                    break;
                }

                Dispatch(buffer.AsSpan(0, length));
            }
        }
        finally
        {
            lock (_gate)
            {
                // Whatever stopped the reader, the keys are no longer watched: their owners poll.
                foreach (var key in _keys.Keys)
                {
                    _changed.Add(key);
                }

                _keys.Clear();
                _watches.Clear();
                _stopped = true;
                _signal.TrySetResult();
            }

            Close();
        }
    }

    private void Dispatch(ReadOnlySpan<byte> events)
    {
        lock (_gate)
        {
            bool any = false;
            while (events.Length >= Inotify.EventHeaderSize)
            {
                int wd = BinaryPrimitives.ReadInt32LittleEndian(events);
                uint mask = BinaryPrimitives.ReadUInt32LittleEndian(events[4..]);
                int nameLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(events[12..]);
                var nameBytes = events.Slice(Inotify.EventHeaderSize, Math.Min(nameLength, events.Length - Inotify.EventHeaderSize));
                events = events[Math.Min(events.Length, Inotify.EventHeaderSize + nameLength)..];
                if ((mask & Inotify.QueueOverflow) != 0)
                {
                    // Events were lost: every key may have changed.
                    foreach (var key in _keys.Keys)
                    {
                        any |= _changed.Add(key);
                    }

                    continue;
                }

                if (!_watches.TryGetValue(wd, out var users))
                {
                    continue;
                }

                if ((mask & (Inotify.Ignored | Inotify.DeleteSelf | Inotify.MoveSelf)) != 0)
                {
                    // The directory itself went away or moved: its keys must be polled (or watched anew).
                    foreach (var (key, _, _) in users.ToList())
                    {
                        any |= _changed.Add(key);
                        RemoveKey(key);
                    }

                    continue;
                }

                int end = nameBytes.IndexOf((byte)0);
                var name = end < 0 ? nameBytes : nameBytes[..end];
                bool renamed = (mask & (Inotify.Create | Inotify.Delete | Inotify.MovedFrom | Inotify.MovedTo)) != 0;
                List<object>? appeared = null;
                foreach (var (key, wanted, namesOnly) in users)
                {
                    if ((wanted is null || name.SequenceEqual(wanted)) && (renamed || !namesOnly))
                    {
                        any |= _changed.Add(key);
                        if (_provisional.Contains(key))
                        {
                            (appeared ??= []).Add(key);
                        }
                    }
                }

                foreach (var key in appeared ?? [])
                {
                    RemoveKey(key);
                }
            }

            if (any)
            {
                _signal.TrySetResult();
            }
        }
    }

    private void Close()
    {
        FileDescriptors.Close(_fd);
        FileDescriptors.Close(_stopRead);
        if (_reader is null)
        {
            FileDescriptors.Close(_stopWrite);
        }
    }
}
