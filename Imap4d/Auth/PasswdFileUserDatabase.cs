using System.Globalization;
using Imap4d.IO;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Virtual users from a passwd(5)-style file, as Dovecot's passwd-file uses it:
/// <c>name:hash:uid:gid:gecos:home[:shell[:extra]]</c>.
/// Empty uid and gid mean the session keeps the server's own identity, so an ordinary user can
/// serve its own accounts. '#' comments and blank lines are ignored; a bad line is reported
/// and skipped. The file is stat'ed on every use and re-read when it changed, so edits take
/// effect without a restart. Names are case-sensitive.
/// </summary>
public sealed class PasswdFileUserDatabase : IAuthenticator, IUserDirectory
{
    public const string ModuleName = "virtual-users";

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly Action<string> _warn;
    private readonly object _reloadLock = new();

    // Replaced as a whole on reload, so readers need no lock.
    private volatile Snapshot _snapshot = new(null, new Dictionary<string, PasswdFileEntry>(StringComparer.Ordinal));

    /// <param name="path">The passwd file; it may be missing at first (then nobody logs in).</param>
    /// <param name="warn">Receives one message per problem (bad line, unreadable file);
    /// defaults to the NLog logger. Messages never contain password hashes.</param>
    public PasswdFileUserDatabase(string path, Action<string>? warn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _warn = warn ?? (message => Log.Warn(message));
    }

    public string Name => ModuleName;

    public string Path { get; }

    /// <summary>Number of usable accounts after the most recent (re)load.</summary>
    public int Count => Current().Entries.Count;

    public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        ct.ThrowIfCancellationRequested();
        if (!Current().Entries.TryGetValue(user, out PasswdFileEntry? entry) || !Crypt.Verify(password, entry.Hash))
        {
            return ValueTask.FromResult<UserInfo?>(null);
        }
        return ValueTask.FromResult<UserInfo?>(ToUserInfo(entry));
    }

    public UserInfo? Lookup(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Current().Entries.TryGetValue(user, out PasswdFileEntry? entry) ? ToUserInfo(entry) : null;
    }

    private static UserInfo ToUserInfo(PasswdFileEntry entry) =>
        new(entry.Name, entry.Home, entry.Uid, entry.Gid, ModuleName);

    private Snapshot Current()
    {
        FileStamp stamp = FileStamp.Of(Path);
        Snapshot snapshot = _snapshot;
        if (snapshot.Stamp == stamp)
        {
            return snapshot;
        }
        lock (_reloadLock)
        {
            snapshot = _snapshot;
            if (snapshot.Stamp != stamp)
            {
                // The stamp is taken before reading: a write during the read changes the file's
                // stamp again, so the next use re-reads rather than keeping a torn copy.
                snapshot = new Snapshot(stamp, Load(stamp));
                _snapshot = snapshot;
            }
            return snapshot;
        }
    }

    private Dictionary<string, PasswdFileEntry> Load(FileStamp stamp)
    {
        var entries = new Dictionary<string, PasswdFileEntry>(StringComparer.Ordinal);
        if (stamp.Errno != 0)
        {
            _warn($"{Path}: cannot stat virtual user file: {Stdlib.strerror((Errno)stamp.Errno)}");
            return entries;
        }
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadAllLines(Path, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"{Path}: cannot read virtual user file: {e.Message}");
            return entries;
        }
        int lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (!TryParseLine(line, out PasswdFileEntry? entry, out string? problem))
            {
                _warn($"{Path}:{lineNumber}: {problem}; line ignored");
                continue;
            }
            if (entry is null)
            {
                continue;
            }
            if (!entries.TryAdd(entry.Name, entry))
            {
                // The first one wins, as with getpwnam.
                _warn($"{Path}:{lineNumber}: duplicate user \"{entry.Name}\"; line ignored");
            }
        }
        return entries;
    }

    /// <summary>
    /// Parses one line. True with a null entry for comments and blank lines; false with a
    /// reason (never quoting the hash) for a malformed line.
    /// </summary>
    internal static bool TryParseLine(string line, out PasswdFileEntry? entry, out string? problem)
    {
        entry = null;
        problem = null;
        string trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return true;
        }
        // Anything after the seventh colon is Dovecot's extra fields, which may contain colons.
        string[] fields = line.Split(':', 8);
        if (fields.Length < 6)
        {
            problem = $"expected at least 6 colon-separated fields (name:password:uid:gid:gecos:home), found {fields.Length}";
            return false;
        }
        string name = fields[0];
        if (name.Length == 0 || name != name.Trim())
        {
            problem = "empty user name or one with surrounding blanks";
            return false;
        }
        if (!TryParseId(fields[2], out uint? uid) || !TryParseId(fields[3], out uint? gid))
        {
            problem = $"user \"{name}\": uid and gid must be empty or decimal numbers";
            return false;
        }
        if (uid.HasValue != gid.HasValue)
        {
            // Switching only one of them would leave a half-changed identity.
            problem = $"user \"{name}\": give both uid and gid, or leave both empty";
            return false;
        }
        string home = fields[5];
        if (!home.StartsWith('/'))
        {
            problem = $"user \"{name}\": home directory must be an absolute path";
            return false;
        }
        if (!TryStripScheme(fields[1], out string hash))
        {
            problem = $"user \"{name}\": unsupported password scheme (only crypt(3) hashes are)";
            return false;
        }
        entry = new PasswdFileEntry(name, hash, uid, gid, home);
        return true;
    }

    private static bool TryParseId(string field, out uint? id)
    {
        id = null;
        if (field.Length == 0)
        {
            return true;
        }
        if (!field.All(char.IsAsciiDigit) || !uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out uint value))
        {
            return false;
        }
        id = value;
        return true;
    }

    /// <summary>
    /// Accepts plain crypt(3) hashes and Dovecot's "{CRYPT}", "{SHA512-CRYPT}" etc. prefixes,
    /// which only label a crypt hash. Other Dovecot schemes ({PLAIN}, {SSHA}...) are refused.
    /// </summary>
    private static bool TryStripScheme(string field, out string hash)
    {
        hash = field;
        if (!field.StartsWith('{'))
        {
            return true;
        }
        int close = field.IndexOf('}');
        if (close < 0)
        {
            return true; // Not a scheme label; crypt will simply never match it.
        }
        string scheme = field[1..close];
        if (scheme.Equals("CRYPT", StringComparison.OrdinalIgnoreCase)
            || scheme.EndsWith("-CRYPT", StringComparison.OrdinalIgnoreCase))
        {
            hash = field[(close + 1)..];
            return true;
        }
        return false;
    }

    private sealed record Snapshot(FileStamp? Stamp, Dictionary<string, PasswdFileEntry> Entries);
}
