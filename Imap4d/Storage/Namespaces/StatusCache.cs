using System.Collections.Concurrent;
using Imap4d.Config;
using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// STATUS answers kept for the process (a user process serves every session of its user, so a
/// new session finds what an earlier one learnt), each with the stat stamps of the files it
/// rests on (<see cref="IMailboxDriver.StatusDependencies"/>: for an mbox, the mbox, its index,
/// and the owner and mode of what decides where the index is), taken before the answer was
/// worked out. An answer is given again only while every one of those files has the very stamp
/// it had (device, inode, mtime and ctime to the nanosecond, size, links, mode; a missing file
/// still missing; owner and mode alone for the directories) and every stamp had settled when
/// taken, by the rules of <see cref="ListCache"/>: a change by another session or process, or by
/// a program writing the mbox (an MDA appending, a mail reader rewriting it, a change of the
/// same size in the same second, an mtime put back, which still moves the ctime), gives another
/// stamp, and a stamp young enough that a second change in the same clock tick could leave it
/// as it is is never trusted.
/// <para>
/// A kept answer skips the name's resolution too (the real path check and the format probe):
/// the mailbox's path still leads to the same file, unchanged since that check found it inside
/// its namespace and of that format, so nothing is read that was not read then. Only names that
/// resolve to themselves are kept (not one found through a canonically equivalent spelling on
/// disk, whose answer could change when the exact spelling appears) and none of the other-users
/// namespace (another user's home may move).
/// </para>
/// </summary>
internal sealed class StatusCache
{
    /// <summary>The cache of this process.</summary>
    public static StatusCache Shared { get; } = new();

    /// <summary>Entries kept at most; beyond this the cache starts again.</summary>
    private const int MaxEntries = 10_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Per device seen: whether it is a local file system (asked once).</summary>
    private readonly ConcurrentDictionary<ulong, bool> _localDevices = new();

    private readonly Func<ulong, string, bool> _isLocal;

    private int _hits;

    private StatusCache()
    {
        _isLocal = IsLocal; // one delegate, not one per stat
    }

    /// <summary>Answers given from what was kept (for tests).</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>
    /// What was seen of a file an answer rests on: its stamp (null: missing), or for a
    /// <see cref="StatusDependency.PlaceOnly"/> one its owner and mode (-1: missing).
    /// </summary>
    public readonly record struct Seen(StatusDependency File, ListCache.Stamp? Stamp, long Place);

    /// <param name="Settings">The configuration the name was resolved under.</param>
    /// <param name="Depends">Each file as seen before the answer was worked out.</param>
    private sealed record Entry(ServerSettings Settings, Seen[] Depends, MailboxStatus Status);

    /// <summary>The stamp of <paramref name="path"/> now (symbolic links followed); null when it cannot be stat'ed.</summary>
    public ListCache.Stamp? StampOf(string path) => ListCache.TakeStamp(null, path, path, _isLocal);

    /// <summary>The files as they are now; the first one's stamp, when given, was taken just before.</summary>
    public Seen[] Observe(IReadOnlyList<StatusDependency> files, ListCache.Stamp? first = null)
    {
        var seen = new Seen[files.Count];
        for (int i = 0; i < seen.Length; i++)
        {
            seen[i] = i == 0 && first is not null && !files[0].PlaceOnly ? new Seen(files[0], first, 0) : Observe(files[i]);
        }

        return seen;
    }

    private Seen Observe(StatusDependency file)
    {
        if (!file.PlaceOnly)
        {
            return new Seen(file, StampOf(file.Path), 0);
        }

        int result = file.FollowLinks ? Syscall.stat(file.Path, out Stat st) : Syscall.lstat(file.Path, out st);
        return new Seen(file, null, result != 0 ? -1 : ((long)st.st_uid << 32) | (uint)st.st_mode);
    }

    private bool IsLocal(ulong device, string path) => _localDevices.GetOrAdd(device, static (_, file) => Inotify.IsLocalFileSystem(file), path);

    /// <summary>The answer kept for <paramref name="key"/> when every file it rests on is as it was; else null.</summary>
    public MailboxStatus? TryGet(string key, ServerSettings settings)
    {
        Entry? entry;
        lock (_entries)
        {
            _entries.TryGetValue(key, out entry);
        }

        if (entry is null || !ReferenceEquals(entry.Settings, settings))
        {
            return null;
        }

        foreach (var was in entry.Depends)
        {
            if (Observe(was.File) != was)
            {
                Forget(key, entry);
                return null;
            }
        }

        Interlocked.Increment(ref _hits);
        return entry.Status;
    }

    /// <summary>
    /// Keeps <paramref name="status"/> for <paramref name="key"/>, worked out after
    /// <paramref name="depends"/> were seen, when the first (the mailbox) exists and every
    /// stamp taken had settled; otherwise drops what was kept.
    /// </summary>
    public void Keep(string key, ServerSettings settings, Seen[] depends, MailboxStatus status)
    {
        bool trusted = depends.Length > 0 && depends[0].Stamp is not null && depends.All(d => d.Stamp is not { Settled: false });
        lock (_entries)
        {
            if (!trusted)
            {
                _entries.Remove(key);
                return;
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(settings, depends, status);
        }
    }

    /// <summary>Drops everything kept (tests).</summary>
    public void Clear()
    {
        lock (_entries)
        {
            _entries.Clear();
        }
    }

    private void Forget(string key, Entry entry)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var now) && ReferenceEquals(now, entry))
            {
                _entries.Remove(key);
            }
        }
    }
}
