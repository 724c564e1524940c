using System.Globalization;

namespace Imap4d.Config;

/// <summary>Collects the `quota` block: its own statements, `root PREFIX` and `user NAME` blocks.</summary>
internal sealed class QuotaSettingsBuilder
{
    private readonly Dictionary<string, QuotaLimits> _roots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, QuotaLimits>> _users = new(StringComparer.Ordinal);
    private bool _fileSystem = true;
    private string? _user;
    private string _root = "";

    public void BeginBlock(string path, object? label)
    {
        switch (path)
        {
            case "quota.root":
            case "quota.user.root":
                _root = (string)label!;
                break;
            case "quota.user":
                _user = (string)label!;
                break;
        }
    }

    public void EndBlock(string path)
    {
        switch (path)
        {
            case "quota.root":
            case "quota.user.root":
                _root = "";
                break;
            case "quota.user":
                _user = null;
                break;
        }
    }

    public void Apply(string path, ConfigNode node, object value)
    {
        switch (path)
        {
            case "quota.file-system":
                _fileSystem = (bool)value;
                break;
            case var p when p.EndsWith(".storage", StringComparison.Ordinal):
                Update(current => current with { StorageBytes = ParseSize(node, (string)value) });
                break;
            case var p when p.EndsWith(".messages", StringComparison.Ordinal):
                Update(current => current with { Messages = (long)value });
                break;
        }
    }

    private void Update(Func<QuotaLimits, QuotaLimits> change)
    {
        var map = _user is null ? _roots : _users.TryGetValue(_user, out var own) ? own : _users[_user] = new(StringComparer.Ordinal);
        map[_root] = change(map.GetValueOrDefault(_root) ?? QuotaLimits.None);
    }

    public QuotaSettings Build() => _roots.Count == 0 && _users.Count == 0 ? new QuotaSettings { FileSystem = _fileSystem } : new()
    {
        Roots = _roots,
        Users = _users.ToDictionary(u => u.Key, u => (IReadOnlyDictionary<string, QuotaLimits>)u.Value, StringComparer.Ordinal),
        FileSystem = _fileSystem,
    };

    /// <summary>A byte count with an optional K, M, G or T suffix (powers of 1024), e.g. `500M`.</summary>
    internal static long ParseSize(ConfigNode node, string text)
    {
        string digits = text.Trim();
        long unit = 1;
        if (digits.Length > 0 && "KMGT".IndexOf(char.ToUpperInvariant(digits[^1])) is var power and >= 0)
        {
            unit = 1L << (10 * (power + 1));
            digits = digits[..^1];
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long count) || count > long.MaxValue / unit)
        {
            throw new ConfigException(node.Location, $"\"{node.Name}\" takes a size in bytes, optionally with K, M, G or T (got \"{text}\")");
        }

        return count * unit;
    }
}
