using System.Collections.Concurrent;
using Imap4d.Config;
using Imap4d.Native;
using Imap4d.Storage.Index;
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
    /// <param name="Driver">The mailbox's driver (asked to <see cref="IMailboxDriver.RecheckStatus"/>).</param>
    /// <param name="Settled">Whether every stamp of <paramref name="Depends"/> had settled: only then is <paramref name="Status"/> given again as it is.</param>
    private sealed record Entry(ServerSettings Settings, Seen[] Depends, MailboxStatus Status, IMailboxDriver Driver, bool Settled);

    private int _rechecks;

    /// <summary>Answers the driver worked out again from its own files, the name's resolution kept (for tests).</summary>
    public int Rechecks => Volatile.Read(ref _rechecks);

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

    /// <summary>
    /// The answer for <paramref name="key"/> without resolving the name again, or null (the
    /// caller then works it out in full). Every file the answer rests on is seen anew: when each
    /// is as it was and every stamp had settled when the answer was kept, the kept answer. When
    /// something moved, or a stamp was young (a second change in its clock tick could have left
    /// it as it was), but the mailbox is still the same file (device and inode) and whatever
    /// places the driver's files is as it was, the driver works the answer out again from its
    /// own files (<see cref="IMailboxDriver.RecheckStatus"/>: for an mbox, the index header,
    /// whose counters and record of the mbox stat are exact): the name's resolution (real path
    /// check, format probe, index location) still holds for the same file in the same place.
    /// </summary>
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

        var was = entry.Depends;
        var now = new Seen[was.Length];
        bool same = true;
        for (int i = 0; i < was.Length; i++)
        {
            now[i] = Observe(was[i].File);
            if (now[i] == was[i])
            {
                continue;
            }

            same = false;
            if (was[i].File.PlaceOnly || (i == 0 && !SameFile(was[0].Stamp, now[0].Stamp)))
            {
                Forget(key, entry);
                return null;
            }
        }

        if (same && entry.Settled)
        {
            Interlocked.Increment(ref _hits);
            return entry.Status;
        }

        var mailbox = now[0].Stamp!.Value;
        var status = entry.Driver.RecheckStatus(Array.ConvertAll(was, d => d.File),
            new SourceStamp(mailbox.Size, mailbox.MtimeNs, (long)mailbox.Inode, mailbox.CtimeNs));
        if (status is null)
        {
            Forget(key, entry);
            return null;
        }

        // The stamps were taken before the read: kept under them, settled ones give it again as it is.
        Keep(key, settings, now, status, entry.Driver);
        Interlocked.Increment(ref _rechecks);
        return status;
    }

    /// <summary>Whether two stamps are of one existing file (device and inode).</summary>
    private static bool SameFile(ListCache.Stamp? was, ListCache.Stamp? now) =>
        was is { } a && now is { } b && a.Device == b.Device && a.Inode == b.Inode;

    /// <summary>
    /// Keeps <paramref name="status"/> for <paramref name="key"/>, worked out after
    /// <paramref name="depends"/> were seen, when the first (the mailbox) exists; otherwise drops
    /// what was kept. Under stamps that had not all settled it is kept only to be worked out again
    /// by <paramref name="driver"/> (<see cref="TryGet"/>), never given as it is.
    /// </summary>
    public void Keep(string key, ServerSettings settings, Seen[] depends, MailboxStatus status, IMailboxDriver driver)
    {
        bool exists = depends.Length > 0 && depends[0].Stamp is not null;
        bool settled = depends.All(d => d.Stamp is not { Settled: false });
        lock (_entries)
        {
            if (!exists)
            {
                _entries.Remove(key);
                return;
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(settings, depends, status, driver, settled);
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
