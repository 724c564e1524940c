using Imap4d.Config;
using Imap4d.Native;
using Imap4d.Storage.Index;
using Imap4d.Storage.Quota;
using Imap4d.Storage.State;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// The file-system mail store of one user: namespaces (RFC 2342) mapped onto mbox, maildir
/// and MH folders in a directory tree, with the type of existing mailboxes detected as GNU
/// imap4d does and new ones created with the type configured for their prefix.
/// </summary>
public sealed class MailStore : IMailStore
{
    /// <summary>Directory walks for LIST stop at this depth and this many entries.</summary>
    private const int MaxListDepth = 20;
    private const int MaxListEntries = 20_000;
    private const UnixFileMode DefaultMailboxMode = (UnixFileMode)0x180; // 0600
    private const UnixFileMode FolderMode = (UnixFileMode)0x1c0;         // 0700

    private readonly ServerSettings _settings;
    private readonly MailboxLocator _locator;
    private readonly IReadOnlyList<IMailboxDriver> _drivers;
    private readonly SubscriptionList _subscriptions;
    private readonly MailboxNameMap _storedSpecialUse;
    private readonly MailboxNameMap _mailboxIds;
    private readonly MailboxNameMap _urlAuthKeys;
    private readonly QuotaKeeper _quota;

    /// <summary>Folder facts of earlier LISTs in this session, each checked against a fresh stat before use.</summary>
    private readonly ListCache _listCache = new();

    /// <summary>How many folder facts LIST took from what this session kept (for tests).</summary>
    internal int ListCacheHits => _listCache.Hits;

    /// <summary>While <see cref="FactsOf"/> works out an entry: the files whose content its facts rest on.</summary>
    private List<(string Path, ListCache.Stamp Stamp)>? _depends;
    private string? _dependsOf;
    private bool _uncacheable;

    /// <summary>STATUS answers kept for the process, shared by the user's sessions (<see cref="StatusCache"/>).</summary>
    private readonly StatusCache _statusCache = StatusCache.Shared;

    /// <summary>What keys this store's names in <see cref="_statusCache"/>: the user and home they resolve for.</summary>
    private readonly string _statusScope;

    /// <summary>How many STATUS answers the process gave from what it kept (for tests).</summary>
    internal static int StatusCacheHits => StatusCache.Shared.Hits;

    /// <summary>The stored special-use attributes as last read (LIST reads them once per command).</summary>
    private IReadOnlyDictionary<string, string> _storedUses = new Dictionary<string, string>();

    /// <param name="drivers">The formats, in detection order (mbox, maildir, mh).</param>
    public MailStore(ServerSettings settings, string user, string home, IReadOnlyList<IMailboxDriver> drivers,
        Func<string, string?> homeOf)
    {
        _settings = settings;
        _locator = new MailboxLocator(settings, user, home, homeOf);
        _statusScope = user + "\0" + home + "\0";
        _drivers = drivers;
        _subscriptions = new SubscriptionList(Path.Combine(home, ".mailboxlist"));
        var state = UserStateDirectory.For(settings.Mailbox.IndexDirectory, user, home);
        _storedSpecialUse = new MailboxNameMap(state, SpecialUseFileName);
        _mailboxIds = new MailboxNameMap(state, MailboxIdFileName);
        _urlAuthKeys = new MailboxNameMap(state, UrlAuthKeyFileName);
        _quota = new QuotaKeeper(this, settings.Quota.For(user), settings.Quota.FileSystem);
    }

    public IReadOnlyList<string> QuotaRoots(string name) => _quota.RootsOf(name);

    public IReadOnlyList<QuotaResource>? GetQuota(string root) => _quota.Report(root);

    public void CheckQuota(string name, long bytes, int messages) => _quota.Check(name, bytes, messages);

    public bool SameQuotaRoots(string from, string to) => _quota.SameRoots(from, to);

    /// <summary>The file in the user's state directory that keeps the OBJECTID MAILBOXID of each mailbox (by name).</summary>
    public const string MailboxIdFileName = "mailbox-ids";

    /// <summary>The file in the user's state directory (0600) that keeps the URLAUTH access key of each mailbox (RFC 4467).</summary>
    public const string UrlAuthKeyFileName = "urlauth-keys";

    /// <summary>The file in the user's state directory that keeps the special-use attributes CREATE gave.</summary>
    public const string SpecialUseFileName = "special-use";

    public MailboxPath Resolve(string name) => _locator.Resolve(name);

    public IMailbox Open(string name, bool readOnly) => Open(name, readOnly, forAppend: false);

    public IMailbox OpenForAppend(string name) => Open(name, readOnly: true, forAppend: true);

    private IMailbox Open(string name, bool readOnly, bool forAppend)
    {
        var path = Resolve(name);
        var driver = path.IsInbox ? CreateInboxOnFirstUse(path) : DriverOf(path);

        if (driver is null)
        {
            throw Exists(path.FileSystemPath)
                ? new StorageException(StorageError.NotPossible, "Mailbox cannot be selected")
                : new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        return forAppend ? driver.OpenForAppend(path.FileSystemPath, path.Name) : driver.Open(path.FileSystemPath, path.Name, readOnly);
    }

    /// <summary>How long a session waits for another one that is creating INBOX right now.</summary>
    private static readonly TimeSpan InboxCreationWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// INBOX always exists for the client (RFC 3501): an empty one is made on first use. Another
    /// session of the user (in this process or another) may be making it at the same moment, and
    /// a maildir or MH folder is several steps (the directory, then cur/new/tmp or
    /// .mh_sequences): a half-made one is waited for rather than reported as not selectable.
    /// Null when INBOX is there but is no mailbox (a plain directory left by something else).
    /// </summary>
    private IMailboxDriver? CreateInboxOnFirstUse(MailboxPath path)
    {
        var deadline = DateTime.UtcNow + InboxCreationWait;
        while (true)
        {
            if (DetectedDriverOf(path) is { } existing)
            {
                return existing;
            }

            if (!Exists(path.FileSystemPath))
            {
                var driver = DriverFor(path.ForcedType ?? _settings.Mailbox.MailboxType);
                try
                {
                    driver.Create(path.FileSystemPath, DefaultMailboxMode);
                    return driver;
                }
                catch (StorageException e) when (e.Error == StorageError.AlreadyExists)
                {
                    // Another session began making it at the same moment: wait for theirs below.
                }
            }

            if (DateTime.UtcNow > deadline || !ChangedRecently(path.FileSystemPath))
            {
                // Nobody is making it now: one left half-made by a killed session is finished, not refused for ever.
                var expected = DriverFor(path.ForcedType ?? _settings.Mailbox.MailboxType);
                if (expected.TryFinishCreation(path.FileSystemPath, DefaultMailboxMode))
                {
                    return expected;
                }

                return DriverOf(path); // not being made: whatever it is, as for any other name
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>The driver that recognises what is there now, even under a forced type: a half-made folder is no mailbox yet.</summary>
    private IMailboxDriver? DetectedDriverOf(MailboxPath path)
    {
        if (path.ForcedType is { } type)
        {
            var forced = DriverFor(type);
            return SafeDetect(forced, path.FileSystemPath) ? forced : null;
        }

        return DriverOf(path);
    }

    /// <summary>Made or changed within the creation wait: possibly a folder another session is still making.</summary>
    private static bool ChangedRecently(string path)
    {
        try
        {
            var changed = File.GetLastWriteTimeUtc(path);
            return DateTime.UtcNow - changed < InboxCreationWait;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Create(string name) => Create(name, []);

    public void Create(string name, IReadOnlyCollection<string> specialUse)
    {
        var stored = _storedSpecialUse.Read();
        CreateMailbox(name);
        try
        {
            if (_mailboxIds.Read().ContainsKey(name))
            {
                _mailboxIds.Set(name, null); // a new mailbox of an old name is another mailbox (RFC 8474)
            }

            if (_urlAuthKeys.Read().ContainsKey(name))
            {
                _urlAuthKeys.Set(name, null); // and URLs given for the old one do not open it
            }

            if (specialUse.Count > 0)
            {
                _storedSpecialUse.Set(name, string.Join(' ', specialUse));
            }
            else if (stored.ContainsKey(name))
            {
                _storedSpecialUse.Set(name, null); // left by a mailbox of this name removed behind our back
            }
        }
        catch (StorageException) when (specialUse.Count > 0)
        {
            Delete(name); // RFC 6154: the mailbox is not created when its use cannot be kept
            throw;
        }
    }

    private void CreateMailbox(string name)
    {
        bool folderOnly = name.Length > 1 && name[^1] == _locator.Resolve(name).Delimiter;
        var path = Resolve(name);
        if (path.IsInbox || Exists(path.FileSystemPath))
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        EnsureParentFolders(path);
        if (folderOnly)
        {
            Directory.CreateDirectory(path.FileSystemPath, FolderMode);
            return;
        }

        string type = path.Namespace?.MailboxType ?? _settings.Mailbox.MailboxType;
        var mode = path.Namespace?.MailboxMode is int m ? (UnixFileMode)m : DefaultMailboxMode;
        if (path.Namespace?.MaildirPlusPlus == true)
        {
            // Maildir++ has no folders that hold only folders: every name is a maildir, marked as a folder.
            DriverFor("maildir").Create(path.FileSystemPath, mode);
            File.WriteAllBytes(Path.Combine(path.FileSystemPath, Maildir.MaildirLayout.FolderMarker), []);
            return;
        }

        DriverFor(type).Create(path.FileSystemPath, mode);
    }

    public void Delete(string name)
    {
        var path = Resolve(name);
        if (path.IsInbox)
        {
            throw new StorageException(StorageError.NotPossible, "INBOX cannot be deleted");
        }

        var driver = DriverOf(path);
        string fsPath = path.FileSystemPath;
        if (driver is null)
        {
            if (!Directory.Exists(fsPath))
            {
                throw new StorageException(StorageError.NotFound, "Mailbox does not exist");
            }

            if (Directory.EnumerateFileSystemEntries(fsPath).Any(e => !IsHidden(e)))
            {
                // RFC 3501 §6.3.4: a \Noselect name with inferiors cannot be deleted.
                throw new StorageException(StorageError.HasChildren, "Folder has inferior hierarchical names");
            }

            DeleteDirectoryIfEmpty(fsPath, includeHidden: true);
            ForgetStoredState(name);
            return;
        }

        driver.Delete(fsPath);
        ForgetStoredState(name);
        if (path.Namespace?.MaildirPlusPlus == true && Directory.Exists(fsPath) &&
            !Directory.EnumerateDirectories(fsPath).Any())
        {
            Directory.Delete(fsPath, recursive: true); // a Maildir++ folder's children are its siblings
            return;
        }

        if (Directory.Exists(fsPath))
        {
            // A directory mailbox with subfolders stays as a \Noselect folder.
            DeleteDirectoryIfEmpty(fsPath, includeHidden: false);
        }
    }

    public void Rename(string from, string to)
    {
        var source = Resolve(from);
        var target = Resolve(to);
        if (Exists(target.FileSystemPath) || target.IsInbox)
        {
            throw new StorageException(StorageError.AlreadyExists, "Target mailbox already exists");
        }

        if (source.IsInbox)
        {
            RenameInbox(target);
            return;
        }

        var driver = DriverOf(source);
        if (driver is null && !Directory.Exists(source.FileSystemPath))
        {
            throw new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        if (target.FileSystemPath.StartsWith(source.FileSystemPath + "/", StringComparison.Ordinal))
        {
            throw new StorageException(StorageError.NotPossible, "Cannot move a mailbox into itself");
        }

        if (source.Namespace?.MaildirPlusPlus == true)
        {
            RenameMaildirPlusPlus(source, target);
        }
        else
        {
            EnsureParentFolders(target);
            if (driver is null)
            {
                Directory.Move(source.FileSystemPath, target.FileSystemPath);
            }
            else
            {
                driver.Rename(source.FileSystemPath, target.FileSystemPath);
            }
        }

        // The special-use attributes of the mailbox and of those below it go with them.
        // The special-use attributes and MAILBOXIDs of the mailbox and of those below it go with them.
        foreach (var map in new[] { _storedSpecialUse, _mailboxIds, _urlAuthKeys })
        {
            if (map.Read().Keys.Any(k => k.StartsWith(source.Name, StringComparison.Ordinal)))
            {
                map.MoveTree(source.Name, target.Name, source.Delimiter);
            }
        }
    }

    private void ForgetStoredState(string name)
    {
        foreach (var map in new[] { _storedSpecialUse, _mailboxIds, _urlAuthKeys })
        {
            if (map.Read().ContainsKey(name))
            {
                map.Set(name, null);
            }
        }
    }

    /// <summary>
    /// RFC 8474 MAILBOXID: given on first use and kept in the user's state directory by name, so
    /// that it follows RENAME (ours; a folder renamed by another program gets a new one).
    /// </summary>
    public string MailboxId(string name)
    {
        var path = Resolve(name);
        if (!path.IsInbox && DriverOf(path) is null)
        {
            throw new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        return _mailboxIds.GetOrAdd(path.Name, () => "M" + Guid.NewGuid().ToString("N")[..23]);
    }

    /// <summary>
    /// RFC 4467 mailbox access key: 256 random bits, made on first use and kept by mailbox name in
    /// the user's state directory (a file of mode 0600); it follows RENAME and goes with DELETE.
    /// </summary>
    public byte[]? UrlAuthKey(string name, bool create)
    {
        string canonical = Resolve(name).Name;
        string? hex = create
            ? _urlAuthKeys.GetOrAdd(canonical, () => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))
            : _urlAuthKeys.Read().GetValueOrDefault(canonical);
        return hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit) ? Convert.FromHexString(hex) : null;
    }

    public void ResetUrlAuthKeys(string? name)
    {
        if (name is null)
        {
            _urlAuthKeys.Clear();
        }
        else
        {
            _urlAuthKeys.Set(Resolve(name).Name, null);
        }
    }

    /// <summary>The mailbox's special-use attributes (configured and stored), space-separated; null for none.</summary>
    private string? SpecialUseOf(string name) =>
        SpecialUse.Merge(_settings.SpecialUse.GetValueOrDefault(name), _storedUses.GetValueOrDefault(name));

    public IReadOnlyList<string> Subscriptions => _subscriptions.All;

    public MailboxInfo Describe(string name)
    {
        _storedUses = _storedSpecialUse.Read();
        return new MailboxInfo(name, DelimiterOf(name), AttributesOf(name), SpecialUseOf(name));
    }

    public ulong Size(string name)
    {
        var path = Resolve(name);
        var driver = DriverOf(path);
        if (driver is null)
        {
            if (path.IsInbox && !Exists(path.FileSystemPath))
            {
                return 0;
            }

            throw Exists(path.FileSystemPath)
                ? new StorageException(StorageError.NotPossible, "Mailbox cannot be selected")
                : new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        return driver.GetSize(path.FileSystemPath);
    }

    public MailboxStatus Status(string name)
    {
        string key = _statusScope + name;
        if (_statusCache.TryGet(key, _settings) is { } kept)
        {
            return kept;
        }

        var path = Resolve(name);
        // The mailbox's stamp is taken before its format is told from its content, so that an
        // answer kept under that stamp rests on what the detection saw (a forced type other than
        // mbox is never kept: no stamp then).
        var stamp = path.ForcedType is null or "mbox" ? _statusCache.StampOf(path.FileSystemPath) : null;
        var driver = path.ForcedType is null ? DriverOf(path, stamp) : DriverOf(path);
        if (driver is null)
        {
            if (path.IsInbox && !Exists(path.FileSystemPath))
            {
                return new MailboxStatus(0, 0, 1, 1, 0);
            }

            throw Exists(path.FileSystemPath)
                ? new StorageException(StorageError.NotPossible, "Mailbox cannot be selected")
                : new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        if (stamp is not { } taken || !KeepsStatusOf(path, name) || driver.StatusDependencies(path.FileSystemPath) is not { } files
            || files.Count == 0 || files[0] != new StatusDependency(path.FileSystemPath))
        {
            return driver.GetStatus(path.FileSystemPath);
        }

        // Stamps first, then the answer: a change while it is worked out shows as another stamp
        // next time. The driver's own files answer first when they describe the mailbox as its
        // stamp shows it (the mbox index header: no second index location, lock or stat of the mbox).
        var depends = _statusCache.Observe(files, taken);
        var status = driver.RecheckStatus(files, new SourceStamp(taken.Size, taken.MtimeNs, (long)taken.Inode, taken.CtimeNs))
                     ?? driver.GetStatus(path.FileSystemPath);
        _statusCache.Keep(key, _settings, depends, status, driver);
        return status;
    }

    /// <summary>
    /// Whether STATUS of <paramref name="name"/> may be kept under its files' stamps: the name
    /// resolved to itself (INBOX in any case), not through an equivalent spelling found on disk,
    /// and not in the other-users namespace.
    /// </summary>
    private static bool KeepsStatusOf(MailboxPath path, string name) =>
        (path.IsInbox || path.Name == name) && path.Namespace?.Kind != NamespaceKind.Other;

    public IReadOnlyList<ChangeSource> ChangeSources(string name)
    {
        var path = Resolve(name);
        return DriverOf(path) is { } driver ? driver.ChangeSources(path.FileSystemPath) : [];
    }

    public IReadOnlyDictionary<string, string> KnownMailboxIds => _mailboxIds.Read();

    public ChangeSource? MailboxIdSource => _mailboxIds.FilePath is { } file ? ChangeSource.ForFile(file) : null;

    public ChangeSource? SubscriptionSource => ChangeSource.ForFile(_subscriptions.Path);

    public void Subscribe(string name)
    {
        // The name on disk, which differs from the one asked for when only a canonically equivalent folder exists.
        _subscriptions.Add(Resolve(name).Name);
    }

    public void Unsubscribe(string name)
    {
        _subscriptions.Remove(name);
        if (name.Contains('&') && EquivalentOnDisk(name) is { } onDisk)
        {
            _subscriptions.Remove(onDisk);
        }
    }

    private string? EquivalentOnDisk(string name)
    {
        try
        {
            string resolved = Resolve(name).Name;
            return resolved == name ? null : resolved;
        }
        catch (StorageException)
        {
            return null;
        }
    }

    public IReadOnlyList<MailboxInfo> List(string reference, string pattern, bool subscribedOnly = false)
    {
        char delimiter = _locator.DefaultDelimiter;
        if (pattern.Length == 0)
        {
            // RFC 3501: the hierarchy delimiter and the root of the reference.
            var prefix = _locator.AllPrefixes
                .Where(p => reference.StartsWith(p.Prefix, StringComparison.Ordinal))
                .MaxBy(p => p.Prefix.Length);
            string root = prefix is null || prefix.Prefix.Length == 0 ? "" : prefix.Prefix;
            return [new MailboxInfo(root, prefix?.Delimiter ?? delimiter, MailboxAttributes.Noselect)];
        }

        string canonical = reference + pattern;
        lock (_listCache)
        {
            _storedUses = _storedSpecialUse.Read();
            return subscribedOnly ? ListSubscribed(canonical) : ListExisting(canonical);
        }
    }

    private IReadOnlyList<MailboxInfo> ListSubscribed(string canonical)
    {
        var result = new List<MailboxInfo>();
        var subscribed = _subscriptions.All;
        var listed = new HashSet<string>(subscribed, StringComparer.Ordinal);
        foreach (string name in subscribed)
        {
            char delimiter = DelimiterOf(name);
            var matcher = new ListPattern(canonical, delimiter);
            if (matcher.Matches(name))
            {
                result.Add(new MailboxInfo(name, delimiter, AttributesOf(name) & ~MailboxAttributes.NonExistent,
                    SpecialUseOf(name)));
            }
            else if (UnsubscribedParentMatching(name, delimiter, matcher, listed) is { } parent)
            {
                // RFC 3501 §6.3.9: "%" stops above a subscribed child; its parent is listed \Noselect.
                result.Add(new MailboxInfo(parent, delimiter, MailboxAttributes.Noselect));
            }
        }

        return result;
    }

    /// <summary>The nearest parent of <paramref name="name"/> that the pattern matches and that is not listed yet.</summary>
    private static string? UnsubscribedParentMatching(string name, char delimiter, ListPattern matcher, HashSet<string> listed)
    {
        for (int end = name.LastIndexOf(delimiter); end > 0; end = name.LastIndexOf(delimiter, end - 1))
        {
            string parent = name[..end];
            if (matcher.Matches(parent))
            {
                return listed.Add(parent) ? parent : null;
            }
        }

        return null;
    }

    /// <summary>
    /// LIST as GNU imap4d answers it: only the namespace whose prefix begins the joined reference
    /// and pattern is listed (LIST "" "*" is the personal "" prefix and INBOX, LIST "#archive:" "*"
    /// that prefix), prefixes themselves are not listed, and in the other users' namespace the
    /// user must be named ("~joe/%"): "~/" is refused, a wildcard user lists nothing.
    /// </summary>
    private IReadOnlyList<MailboxInfo> ListExisting(string canonical)
    {
        var result = new List<MailboxInfo>();
        var prefix = _locator.AllPrefixes
            .Where(p => canonical.StartsWith(p.Prefix, StringComparison.Ordinal))
            .MaxBy(p => p.Prefix.Length);
        if (prefix is null)
        {
            return result;
        }

        var matcher = new ListPattern(canonical, prefix.Delimiter);
        if (prefix.Kind == NamespaceKind.Personal && prefix.Prefix.Length == 0)
        {
            var inbox = _locator.Inbox();
            if (new ListPattern(canonical, inbox.Delimiter).Matches("INBOX"))
            {
                result.Add(new MailboxInfo("INBOX", inbox.Delimiter, InboxAttributes(inbox)));
            }
        }

        string root;
        string namePrefix = prefix.Prefix;
        try
        {
            if (prefix.Kind == NamespaceKind.Other)
            {
                string rest = canonical[prefix.Prefix.Length..];
                int end = rest.IndexOf(prefix.Delimiter);
                string user = end < 0 ? rest : rest[..end];
                if (user.Length == 0)
                {
                    throw new StorageException(StorageError.NotFound, "The requested item could not be found");
                }

                if (end < 0 || user.IndexOfAny(['*', '%']) >= 0)
                {
                    return result; // other users are never enumerated
                }

                root = _locator.RootOf(prefix, [user]);
                namePrefix = prefix.Prefix + user + prefix.Delimiter;
            }
            else
            {
                root = _locator.RootOf(prefix);
                if (prefix.Prefix.Length == 0 && canonical.StartsWith(prefix.Delimiter))
                {
                    // GNU lists the personal directory for LIST "/" "*", each name with the leading "/".
                    namePrefix = prefix.Delimiter.ToString();
                }
            }
        }
        catch (StorageException e) when (e.Error != StorageError.NotFound || prefix.Kind != NamespaceKind.Other)
        {
            return result;
        }

        if (prefix.MaildirPlusPlus)
        {
            ListMaildirPlusPlus(root, prefix, matcher, result);
            return result;
        }

        int budget = MaxListEntries;
        Walk(root, namePrefix, prefix, matcher, depth: 0, result, ref budget);
        return result;
    }

    private void ListMaildirPlusPlus(string root, NamespacePrefix ns, ListPattern matcher, List<MailboxInfo> result)
    {
        var folders = Maildir.MaildirLayout.Enumerate(root, Maildir.MaildirLayoutStyle.MaildirPlusPlus, ns.Delimiter)
            .Where(f => !Maildir.MaildirLayout.IsInbox(f.Name)).ToList();
        foreach (var folder in folders)
        {
            string name = ns.Prefix + folder.Name;
            if (!matcher.Matches(name))
            {
                continue;
            }

            bool children = folders.Any(f => f.Name.StartsWith(folder.Name + ns.Delimiter, StringComparison.Ordinal));
            var attributes = children ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren;
            if (!folder.Selectable)
            {
                attributes |= MailboxAttributes.Noselect;
            }

            result.Add(new MailboxInfo(name, ns.Delimiter, attributes, SpecialUseOf(name)));
        }
    }

    /// <param name="listing">The directory's listing when the caller already has it.</param>
    private void Walk(string directory, string namePrefix, NamespacePrefix ns, ListPattern matcher, int depth,
        List<MailboxInfo> result, ref int budget, ListCache.WalkView? view = null)
    {
        if (depth >= MaxListDepth)
        {
            return;
        }

        if (view is null)
        {
            if (_listCache.Listing(directory) is not { } listing)
            {
                return;
            }

            view = ViewOf(listing);
        }

        // The directory opened on its first entry that needs a stat: each stat then resolves one name.
        SafeFileHandle? opened = null;
        bool openTried = false;
        try
        {
            WalkEntries(directory, namePrefix, ns, matcher, depth, result, ref budget, view, ref opened, ref openTried);
        }
        finally
        {
            opened?.Dispose();
        }
    }

    private void WalkEntries(string directory, string namePrefix, NamespacePrefix ns, ListPattern matcher, int depth,
        List<MailboxInfo> result, ref int budget, ListCache.WalkView view, ref SafeFileHandle? opened, ref bool openTried)
    {
        // Every entry of the listing counts against the budget, those the view left out too.
        int previous = -1;
        foreach (var (index, item, entry) in view.Candidates)
        {
            budget -= index - previous;
            previous = index;
            if (budget < 0)
            {
                return;
            }

            string leaf = item.Name;
            if (leaf.Contains(ns.Delimiter) && ns.Delimiter != '/')
            {
                continue; // "archive.mbox.1" under a "." prefix would read as a hierarchy it is not (GNU skips it too)
            }

            if (depth == 0 && ns.Prefix.Length == 0 && leaf.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = namePrefix + leaf;
            if (!openTried)
            {
                openTried = true;
                opened = FileStatus.OpenDirectory(directory);
            }

            var facts = FactsOf(entry, directory, opened, item, ns);
            if (facts.SymlinkOutside)
            {
                continue;
            }

            if (facts.LeafMhFolder)
            {
                // An MH folder holds its messages as files: listing 10,000 of them only to learn it has no subfolders cost 30 ms.
                if (matcher.Matches(name))
                {
                    result.Add(new MailboxInfo(name, ns.Delimiter, MailboxAttributes.HasNoChildren, SpecialUseOf(name)));
                }

                continue;
            }

            var below = facts.Below;
            var attributes = facts.Attributes;
            if (attributes == MailboxAttributes.NonExistent)
            {
                continue; // an ordinary file that is not a mailbox
            }

            if (matcher.Matches(name))
            {
                result.Add(new MailboxInfo(name, ns.Delimiter, attributes, SpecialUseOf(name)));
            }

            if (item.IsDirectory && matcher.MayMatchBelow(name) && (matcher.HasStar || depth + 1 < matcher.MaxLevels + 1))
            {
                if (below is { Candidates.Length: 0 })
                {
                    // Nothing below can be a mailbox (a maildir's cur/new/tmp, an MH folder's messages): only the budget counts them.
                    if (depth + 1 < MaxListDepth)
                    {
                        budget -= below.Count;
                    }
                }
                else
                {
                    Walk(entry, name + ns.Delimiter, ns, matcher, depth + 1, result, ref budget, below);
                }
            }
        }

        budget -= view.Count - 1 - previous;
    }

    /// <summary>
    /// The entries of a listing that the walk looks at: inside a maildir or MH folder only
    /// subdirectories are mailboxes (its files are its own), and hidden entries, a maildir's
    /// cur/new/tmp and an MH folder's messages are never mailboxes.
    /// </summary>
    private ListCache.WalkView ViewOf(DirectoryListing listing)
    {
        bool insideDirectoryMailbox = IsDirectoryMailbox(listing);
        var candidates = new List<(int, DirectoryListing.Entry, string)>();
        for (int i = 0; i < listing.Entries.Count; i++)
        {
            var item = listing.Entries[i];
            if ((insideDirectoryMailbox && !item.IsDirectory) || IsHidden(item.Name) || IsMessageOrMaildirPart(listing, item))
            {
                continue;
            }

            candidates.Add((i, item, listing.PathOf(item)));
        }

        return new ListCache.WalkView(listing.Entries.Count, candidates.ToArray());
    }

    /// <summary>
    /// What the walk needs of one entry of <paramref name="directory"/>: the facts this session
    /// kept while the entry's stamp (one stat) and those of the files they rest on are unchanged,
    /// else worked out from the file system (and kept when the stamps have settled).
    /// </summary>
    private ListCache.EntryFacts FactsOf(string entry, string directory, SafeFileHandle? opened, DirectoryListing.Entry item, NamespacePrefix ns)
    {
        // Two namespaces may share a directory: only one of no type or of type mh tells leaf MH folders.
        bool mhCheck = item.IsDirectory && ns.MailboxType is null or "mh";
        if (_listCache.Facts(opened, item.Name, entry, out var stamp) is { } kept && kept.MhChecked == mhCheck)
        {
            return kept;
        }

        var depends = new List<(string Path, ListCache.Stamp Stamp)>();
        _depends = depends;
        _dependsOf = entry;
        _uncacheable = false;
        try
        {
            ListCache.EntryFacts facts;
            if (IsSymlinkOutside(entry, directory))
            {
                facts = new ListCache.EntryFacts(true, false, null, MailboxAttributes.NonExistent, []) { MhChecked = mhCheck };
            }
            else if (mhCheck && IsLeafMhFolder(entry))
            {
                facts = new ListCache.EntryFacts(false, true, null, MailboxAttributes.HasNoChildren, []) { MhChecked = true };
            }
            else
            {
                // One listing of a folder answers what it is, whether it has children, and the walk below it.
                var below = item.IsDirectory ? DirectoryListing.Read(entry) : null;
                var attributes = below is null ? AttributesOfPath(entry) : AttributesOf(below);
                _uncacheable |= item.IsDirectory && below is null; // an unreadable folder: asked again next time
                facts = new ListCache.EntryFacts(false, false, below is null ? null : ViewOf(below), attributes, depends) { MhChecked = mhCheck };
            }

            if (_uncacheable)
            {
                _listCache.Forget(entry);
            }
            else
            {
                _listCache.Keep(entry, stamp, facts);
            }

            return facts;
        }
        finally
        {
            _depends = null;
            _dependsOf = null;
        }
    }

    /// <summary>Records, while <see cref="FactsOf"/> works out an entry, that its facts rest on the content of <paramref name="path"/>.</summary>
    private void DependOn(string path)
    {
        if (_depends is null || path == _dependsOf || (_depends.Count > 0 && _depends[^1].Path == path))
        {
            return;
        }

        if (_listCache.StampOf(path) is { } stamp)
        {
            _depends.Add((path, stamp));
        }
        else
        {
            _uncacheable = true;
        }
    }

    /// <summary>
    /// True for an MH folder (it has .mh_sequences) without subfolders, told without listing it: the
    /// link count of a directory is 2 plus its subdirectories (ext4, xfs, tmpfs; btrfs says 1 and
    /// gets the listing), and the only one allowed is our own hidden state directory. Asked only in
    /// namespaces of type mh or of no fixed type (a maildir namespace would pay a stat per folder).
    /// </summary>
    private bool IsLeafMhFolder(string path)
    {
        if (!_drivers.Any(d => d.Type == "mh")
            || Mono.Unix.Native.Syscall.stat(Path.Combine(path, Mh.MhLock.SequencesFileName), out var sequences) != 0
            || (sequences.st_mode & Mono.Unix.Native.FilePermissions.S_IFMT) != Mono.Unix.Native.FilePermissions.S_IFREG
            || Mono.Unix.Native.Syscall.stat(path, out var st) != 0)
        {
            return false;
        }

        long subdirectories = (long)st.st_nlink - 2;
        return subdirectories == 0 || (subdirectories == 1 && Directory.Exists(Path.Combine(path, Mh.MhLock.StateDirName)));
    }

    private MailboxAttributes InboxAttributes(MailboxPath inbox)
    {
        var attributes = AttributesOfPath(inbox.FileSystemPath);
        return attributes == MailboxAttributes.NonExistent ? MailboxAttributes.HasNoChildren : attributes;
    }

    private MailboxAttributes AttributesOf(string name)
    {
        try
        {
            var path = Resolve(name);
            if (path.IsInbox)
            {
                return InboxAttributes(path);
            }

            // One name (an IMAP4rev2 SELECT asks for it): a stat tells a leaf MH folder without listing its messages.
            return IsLeafMhFolder(path.FileSystemPath) ? MailboxAttributes.HasNoChildren : AttributesOfPath(path.FileSystemPath);
        }
        catch (StorageException)
        {
            return MailboxAttributes.NonExistent;
        }
    }

    /// <summary>LIST attributes from the file system; NonExistent for nothing or a non-mailbox file.</summary>
    private MailboxAttributes AttributesOfPath(string path)
    {
        if (Directory.Exists(path) && DirectoryListing.Read(path) is { } listing)
        {
            return AttributesOf(listing);
        }

        var driver = _drivers.FirstOrDefault(d => SafeDetect(d, path));
        if (File.Exists(path))
        {
            return driver is null ? MailboxAttributes.NonExistent : MailboxAttributes.Noinferiors;
        }

        if (!Directory.Exists(path))
        {
            return MailboxAttributes.NonExistent;
        }

        bool children = HasSubfolders(path);
        var attributes = children ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren;
        return driver is null ? attributes | MailboxAttributes.Noselect : attributes;
    }

    /// <summary>LIST attributes of a directory from its listing.</summary>
    private MailboxAttributes AttributesOf(DirectoryListing directory)
    {
        var driver = _drivers.FirstOrDefault(d => SafeDetect(d, directory));
        bool children = HasSubfolders(directory);
        var attributes = children ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren;
        return driver is null ? attributes | MailboxAttributes.Noselect : attributes;
    }

    private bool IsDirectoryMailbox(string directory) => _drivers.Any(d => d.Type != "mbox" && SafeDetect(d, directory));

    private bool IsDirectoryMailbox(DirectoryListing directory) => _drivers.Any(d => d.Type != "mbox" && SafeDetect(d, directory));

    private bool HasSubfolders(DirectoryListing directory)
    {
        bool onlyDirectories = IsDirectoryMailbox(directory);
        return directory.Entries.Any(e => !IsHidden(e.Name) && !IsMessageOrMaildirPart(directory, e) &&
                                          (e.IsDirectory || (!onlyDirectories && _drivers.Any(d => SafeDetect(d, directory.PathOf(e))))));
    }

    /// <summary><see cref="IsMessageOrMaildirPart(string, string)"/> from the directory's listing.</summary>
    private bool IsMessageOrMaildirPart(DirectoryListing directory, DirectoryListing.Entry entry)
    {
        string leaf = entry.Name;
        if (leaf is "cur" or "new" or "tmp" && directory.HasDirectory("cur") && directory.HasDirectory("new"))
        {
            return true;
        }

        return leaf.Length > 0 && !entry.IsDirectory && leaf.All(char.IsAsciiDigit) &&
               _drivers.Any(d => d.Type == "mh" && SafeDetect(d, directory));
    }

    private bool HasSubfolders(string directory)
    {
        bool onlyDirectories = IsDirectoryMailbox(directory);
        try
        {
            return Directory.EnumerateFileSystemEntries(directory)
                .Any(e => !IsHidden(e) && !IsMessageOrMaildirPart(directory, Path.GetFileName(e)) &&
                          (Directory.Exists(e) || (!onlyDirectories && _drivers.Any(d => SafeDetect(d, e)))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Entries of a directory mailbox that are its contents, not subfolders.</summary>
    private bool IsMessageOrMaildirPart(string directory, string leaf)
    {
        if (leaf is "cur" or "new" or "tmp" &&
            Directory.Exists(Path.Combine(directory, "cur")) && Directory.Exists(Path.Combine(directory, "new")))
        {
            return true;
        }

        // Numbered files are messages of an MH folder; elsewhere (an mbox named "2026") they are mailboxes.
        return leaf.Length > 0 && leaf.All(char.IsAsciiDigit) && File.Exists(Path.Combine(directory, leaf)) &&
               _drivers.Any(d => d.Type == "mh" && SafeDetect(d, directory));
    }

    private static bool IsHidden(string entry)
    {
        string leaf = Path.GetFileName(entry);
        return leaf.StartsWith('.') || leaf.StartsWith(',') || leaf.EndsWith(".lock", StringComparison.Ordinal);
    }

    private bool IsSymlinkOutside(string entry, string directory)
    {
        try
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is null)
            {
                return false;
            }

            // A link can be pointed elsewhere without its target's stamp changing: never kept.
            _uncacheable = true;

            PathGuard.CheckInside(directory, entry);
            return false;
        }
        catch (StorageException)
        {
            return true;
        }
    }

    private char DelimiterOf(string name)
    {
        try
        {
            return Resolve(name).Delimiter;
        }
        catch (StorageException)
        {
            return _locator.DefaultDelimiter;
        }
    }

    private IMailboxDriver? DriverOf(MailboxPath path)
    {
        if (path.ForcedType is { } type && Exists(path.FileSystemPath))
        {
            return DriverFor(type);
        }

        return _drivers.FirstOrDefault(d => SafeDetect(d, path.FileSystemPath));
    }

    /// <summary>
    /// <see cref="DriverOf(MailboxPath)"/> for a path of no forced type whose stamp was just taken:
    /// mbox is not asked to look at what is no regular file (it would only stat it to learn so).
    /// </summary>
    private IMailboxDriver? DriverOf(MailboxPath path, ListCache.Stamp? stamp)
    {
        bool regular = stamp is { } taken && (taken.Mode & 0xF000) == 0x8000; // S_IFREG
        return _drivers.FirstOrDefault(d => (regular || d.Type != "mbox") && SafeDetect(d, path.FileSystemPath));
    }

    private IMailboxDriver DriverFor(string type) =>
        _drivers.FirstOrDefault(d => d.Type == type)
        ?? throw new StorageException(StorageError.NotPossible, "Mailbox type not supported", "no driver for " + type);

    private bool SafeDetect(IMailboxDriver driver, DirectoryListing directory)
    {
        if (driver.Type == "mbox")
        {
            return false; // an mbox is a file, never a directory: no stat of each folder to learn so
        }

        if (_depends is not null && driver.Type == "mh" && !directory.HasFile(Mh.MhLock.SequencesFileName) &&
            directory.Entries.Any(e => !e.IsDirectory && e.Name.Length > 0 && e.Name.All(char.IsAsciiDigit)))
        {
            _uncacheable = true; // told from the content of its numbered files: not kept
        }

        try
        {
            return driver.Detect(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private bool SafeDetect(IMailboxDriver driver, string path)
    {
        DependOn(path);
        try
        {
            return driver.Detect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void EnsureParentFolders(MailboxPath path)
    {
        string? parent = Path.GetDirectoryName(path.FileSystemPath);
        if (parent is null)
        {
            return;
        }

        if (File.Exists(parent))
        {
            throw new StorageException(StorageError.NotPossible, "Parent mailbox cannot have inferiors");
        }

        Directory.CreateDirectory(parent, FolderMode);
    }

    private static void DeleteDirectoryIfEmpty(string path, bool includeHidden)
    {
        var entries = Directory.EnumerateFileSystemEntries(path).ToList();
        if (entries.Any(e => !IsHidden(e)))
        {
            return;
        }

        if (includeHidden || entries.Count == 0)
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Maildir++ keeps children beside their parent (.A, .A.B): each one moves on its own.</summary>
    private void RenameMaildirPlusPlus(MailboxPath source, MailboxPath target)
    {
        var ns = source.Namespace!;
        string root = _locator.RootOf(ns);
        string from = source.Name[ns.Prefix.Length..];
        string to = target.Name[target.Namespace!.Prefix.Length..];
        var moves = Maildir.MaildirLayout.Enumerate(root, Maildir.MaildirLayoutStyle.MaildirPlusPlus, ns.Delimiter)
            .Where(f => f.Name == from || f.Name.StartsWith(from + ns.Delimiter, StringComparison.Ordinal))
            .Where(f => Directory.Exists(f.Path))
            .Select(f => (f.Path, To: Maildir.MaildirLayout.PathOf(root, to + f.Name[from.Length..],
                Maildir.MaildirLayoutStyle.MaildirPlusPlus, ns.Delimiter)))
            .ToList();
        if (moves.Count == 0)
        {
            throw new StorageException(StorageError.NotFound, "Mailbox does not exist");
        }

        foreach (var (fromPath, toPath) in moves)
        {
            Directory.Move(fromPath, toPath);
        }
    }

    private void RenameInbox(MailboxPath target)
    {
        // RFC 3501 §6.3.5: renaming INBOX moves its messages to a new mailbox; INBOX stays, empty.
        Create(target.Name);
        using var inbox = Open("INBOX", readOnly: false);
        using var destination = Open(target.Name, readOnly: false);
        var uids = inbox.Messages.Select(m => m.Uid).ToList();
        inbox.CopyTo(uids, destination);
        destination.Checkpoint();
        inbox.Store(uids, FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        inbox.Expunge();
        inbox.Checkpoint();
    }
}
