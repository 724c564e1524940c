using Imap4d.IO;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// The `login-names { map-file }` table: one "LOGIN-NAME ACCOUNT" pair per line, blanks
/// between, '#' comments. Re-read when the file changes; a missing or unreadable file maps
/// nothing (with a warning). Lookups are exact (lower-case the file when `lower-case` is on).
/// </summary>
public sealed class LoginNameMap
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>Larger files are refused: the table is read whole into memory.</summary>
    private const long MaxFileSize = 16 * 1024 * 1024;

    private readonly Action<string> _warn;
    private readonly object _reloadLock = new();
    private volatile Snapshot _snapshot = new(null, new Dictionary<string, string>(StringComparer.Ordinal));

    public LoginNameMap(string path, Action<string>? warn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _warn = warn ?? (message => Log.Warn(message));
    }

    public string Path { get; }

    /// <summary>The account <paramref name="loginName"/> maps to, or null when it is not listed.</summary>
    public string? Find(string loginName)
    {
        ArgumentNullException.ThrowIfNull(loginName);
        return Current().Entries.TryGetValue(loginName, out string? account) ? account : null;
    }

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
                snapshot = new Snapshot(stamp, Load());
                _snapshot = snapshot;
            }

            return snapshot;
        }
    }

    private Dictionary<string, string> Load()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            if (new FileInfo(Path).Length > MaxFileSize)
            {
                _warn($"{Path}: login name map larger than {MaxFileSize} bytes; ignored");
                return entries;
            }

            lines = File.ReadAllLines(Path, System.Text.Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"{Path}: cannot read login name map: {e.Message}");
            return entries;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2)
            {
                _warn($"{Path}:{i + 1}: expected \"LOGIN-NAME ACCOUNT\"; line ignored");
                continue;
            }

            if (!entries.TryAdd(fields[0], fields[1]))
            {
                _warn($"{Path}:{i + 1}: \"{fields[0]}\" is mapped twice; the first one counts");
            }
        }

        return entries;
    }

    private sealed record Snapshot(FileStamp? Stamp, Dictionary<string, string> Entries);
}
