using Imap4d.Native;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// What LIST learnt of each folder in this session, kept with the folder's stat stamp (device,
/// inode, mtime and ctime to the nanosecond, size, link count, mode) so that a repeated LIST
/// pays one stat per folder instead of a listing, a readlink, a format probe and the stats of
/// its parts. Every use is checked against a fresh stat: a folder made, removed or renamed
/// below a directory changes that directory's mtime and ctime, a file rewritten changes its
/// own, a directory put in another's place has another inode. A stamp younger than the file
/// system's granularity with a margin (<see cref="LocalSettle"/>, <see cref="Settle"/>,
/// <see cref="WholeSecondSettle"/>), or in the future, is not trusted: within one clock tick a
/// second change can leave the stamp as it was, so such facts are worked out anew each time
/// until the stamp has aged.
/// </summary>
internal sealed class ListCache
{
    /// <summary>How old a stamp must be before facts under it are kept, on a file system not known to be local.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The same on a local file system (<see cref="Inotify.IsLocalFileSystem"/>) whose stamps show
    /// sub-second parts: the kernel stamps a change with its clock tick (at most 10 ms) or finer.
    /// </summary>
    public static readonly TimeSpan LocalSettle = TimeSpan.FromMilliseconds(100);

    /// <summary>The same where stamps show whole seconds only (ext3's small inodes, FAT, some servers): any file system.</summary>
    public static readonly TimeSpan WholeSecondSettle = TimeSpan.FromSeconds(3);

    /// <summary>Per device seen: whether it is a local file system (asked once).</summary>
    private readonly Dictionary<ulong, bool> _localDevices = [];

    /// <summary>Entries kept at most; beyond this the cache starts again (LIST walks at most 20,000 anyway).</summary>
    private const int MaxEntries = 25_000;

    /// <summary>Entries answered from what was kept (for tests).</summary>
    public int Hits { get; private set; }

    private readonly Dictionary<string, (Stamp Stamp, EntryFacts Facts)> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Stamp Stamp, DirectoryListing Listing)> _listings = new(StringComparer.Ordinal);

    /// <summary>
    /// The stat stamp of a file or directory (following symbolic links), and whether it had
    /// settled when taken: any change after that stat is sure to give another stamp.
    /// </summary>
    public readonly record struct Stamp(ulong Device, ulong Inode, long MtimeNs, long CtimeNs, long Size, ulong Links, uint Mode, bool Settled);

    /// <summary>
    /// What the walk found of one entry of a directory: whether it is a symbolic link that leads
    /// outside, an MH folder without subfolders (never listed), the listing of a directory, its
    /// LIST attributes; and the other files whose content the attributes rest on (an mbox inside
    /// a directory gives it \HasChildren), each with the stamp it had.
    /// </summary>
    public sealed record EntryFacts(bool SymlinkOutside, bool LeafMhFolder, WalkView? Below,
        MailboxAttributes Attributes, IReadOnlyList<(string Path, Stamp Stamp)> Depends)
    {
        /// <summary>Whether the entry was asked if it is a leaf MH folder (namespaces of type mh or of none).</summary>
        public bool MhChecked { get; init; }
    }

    /// <summary>
    /// Of a directory's listing, what the walk looks at: the entries that may be mailboxes, each
    /// with its index in the listing and its path, and how many entries the listing has.
    /// </summary>
    public sealed record WalkView(int Count, (int Index, DirectoryListing.Entry Item, string Path)[] Candidates);

    /// <summary>The stamp of <paramref name="path"/> now; null when it cannot be stat'ed.</summary>
    public Stamp? StampOf(string path) => StampOf(null, path, path);

    /// <summary>The stamp of <paramref name="name"/> in the open <paramref name="directory"/> (of the path <paramref name="path"/> when null).</summary>
    private Stamp? StampOf(SafeFileHandle? directory, string name, string path) =>
        TakeStamp(directory, name, path, (device, file) =>
        {
            if (!_localDevices.TryGetValue(device, out bool local))
            {
                _localDevices[device] = local = Inotify.IsLocalFileSystem(file);
            }

            return local;
        });

    /// <summary>
    /// The stamp of <paramref name="name"/> in <paramref name="directory"/> (of the path
    /// <paramref name="path"/> when null), settled by the rules above; <paramref name="isLocal"/>
    /// tells, per device, whether its file system is local (given the device and the path).
    /// The other caches checked against stamps (<see cref="StatusCache"/>) take theirs here.
    /// </summary>
    internal static Stamp? TakeStamp(SafeFileHandle? directory, string name, string path, Func<ulong, string, bool> isLocal)
    {
        // The clock is read before the stat: what changes after the stat is stamped later than this.
        long nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        if (!FileStatus.TryIdentity(directory, directory is null ? path : name, out var id))
        {
            return null;
        }

        bool local = isLocal(id.Device, path);
        bool wholeSeconds = id.MtimeNs % 1_000_000_000L == 0 && id.CtimeNs % 1_000_000_000L == 0;
        var settle = wholeSeconds ? WholeSecondSettle : local ? LocalSettle : Settle;
        bool settled = Math.Max(id.MtimeNs, id.CtimeNs) <= nowNs - settle.Ticks * 100;
        return new Stamp(id.Device, id.Inode, id.MtimeNs, id.CtimeNs, id.Size, id.Links, id.Mode, settled);
    }

    /// <summary>
    /// The facts kept for <paramref name="path"/> when its stamp (taken now into
    /// <paramref name="stamp"/>) and those of the files they rest on are what they were.
    /// </summary>
    /// <param name="directory">The entry's directory, open, when the caller has it (the kernel then resolves one name, not the path).</param>
    public EntryFacts? Facts(SafeFileHandle? directory, string name, string path, out Stamp? stamp)
    {
        stamp = StampOf(directory, name, path);
        if (stamp is not { Settled: true } now || !_entries.TryGetValue(path, out var kept) || kept.Stamp != now)
        {
            return null;
        }

        foreach (var (file, was) in kept.Facts.Depends)
        {
            if (StampOf(file) != was)
            {
                return null;
            }
        }

        Hits++;
        return kept.Facts;
    }

    /// <summary>Keeps <paramref name="facts"/> of <paramref name="path"/>, taken under <paramref name="stamp"/>, when every stamp has settled.</summary>
    public void Keep(string path, Stamp? stamp, EntryFacts facts)
    {
        if (stamp is not { Settled: true } taken || facts.Depends.Any(d => !d.Stamp.Settled))
        {
            _entries.Remove(path);
            return;
        }

        Bound();
        _entries[path] = (taken, facts);
    }

    /// <summary>Drops what was kept of <paramref name="path"/>.</summary>
    public void Forget(string path)
    {
        _entries.Remove(path);
        _listings.Remove(path);
    }

    /// <summary>
    /// The listing of the directory <paramref name="path"/>: the kept one while its stamp is
    /// unchanged and settled, else a fresh one (kept when settled).
    /// </summary>
    public DirectoryListing? Listing(string path)
    {
        var stamp = StampOf(path);
        if (stamp is { Settled: true } now && _listings.TryGetValue(path, out var kept) && kept.Stamp == now)
        {
            return kept.Listing;
        }

        // The stamp is taken before the listing: a change while reading shows as a newer stamp next time.
        var listing = DirectoryListing.Read(path);
        if (listing is not null && stamp is { Settled: true } taken)
        {
            Bound();
            _listings[path] = (taken, listing);
        }
        else
        {
            _listings.Remove(path);
        }

        return listing;
    }

    private void Bound()
    {
        if (_entries.Count + _listings.Count >= MaxEntries)
        {
            _entries.Clear();
            _listings.Clear();
        }
    }
}
