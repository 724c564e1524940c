namespace Imap4d.Config;

/// <summary>
/// Collects `namespace` blocks and completes them as GNU imap4d does: a prefix's directory
/// defaults to the prefix, its delimiter to "/", the empty prefix may only be personal, a
/// prefix may be defined once, and the personal "" → $home prefix is added when missing.
/// </summary>
internal sealed class NamespaceSettingsBuilder
{
    /// <summary>The local mailbox formats a `mailbox-type` may name.</summary>
    public static readonly string[] LocalMailboxTypes = ["mbox", "maildir", "mh"];

    private readonly List<PrefixDraft> _prefixes = [];
    private readonly Dictionary<NamespaceKind, int> _namespaceModes = [];
    private PrefixDraft? _current;

    public NamespaceKind CurrentKind { get; private set; }

    public void BeginNamespace(string label) => CurrentKind = label switch
    {
        "personal" or "private" => NamespaceKind.Personal,
        "other" => NamespaceKind.Other,
        _ => NamespaceKind.Shared,
    };

    public void SetNamespaceMode(int mode) => _namespaceModes[CurrentKind] = mode;

    public void BeginPrefix(string prefix, SourceLocation location)
    {
        _current = new PrefixDraft(CurrentKind, prefix, location);
        _prefixes.Add(_current);
    }

    public void EndPrefix() => _current = null;

    public void SetDirectory(string directory) => Current.Directory = directory;

    public void SetDelimiter(string delimiter, ConfigNode node) => Current.Delimiter = delimiter.Length switch
    {
        0 => throw new ConfigException(node.Location, "delimiter cannot be empty"),
        1 => delimiter[0],
        _ => throw new ConfigException(node.Location, "delimiter must be a single character"),
    };

    public void SetMailboxType(string type, ConfigNode node) => Current.MailboxType = LocalMailboxTypes.Contains(type)
        ? type
        : throw new ConfigException(node.Location, $"unknown local mailbox type \"{type}\" (expected {string.Join(", ", LocalMailboxTypes)})");

    public void SetPrefixMode(int mode) => Current.Mode = mode;

    /// <summary>`mailbox { folder DIR; }`: where the default personal prefix "" lives, as mailutils' folder directory.</summary>

    public void SetLayout(string layout) => Current.MaildirPlusPlus = layout == "maildir++";

    public NamespaceSettings Build()
    {
        var seen = new HashSet<string>();
        foreach (var draft in _prefixes)
        {
            if (!seen.Add(draft.Prefix))
            {
                throw new ConfigException(draft.Location, $"namespace prefix \"{draft.Prefix}\" appears twice");
            }

            if (draft.Prefix.Length == 0 && draft.Kind != NamespaceKind.Personal)
            {
                throw new ConfigException(draft.Location, $"empty prefix not allowed in the namespace {draft.Kind.ToString().ToLowerInvariant()}");
            }
        }

        var prefixes = _prefixes.Select(Complete).ToList();
        if (!seen.Contains(""))
        {
            prefixes.Insert(0, NamespaceSettings.DefaultPersonalPrefix with
            {
                MailboxMode = _namespaceModes.TryGetValue(NamespaceKind.Personal, out var mode) ? mode : null,
            });
        }

        return new NamespaceSettings(
            prefixes.Where(p => p.Kind == NamespaceKind.Personal).ToList(),
            prefixes.Where(p => p.Kind == NamespaceKind.Other).ToList(),
            prefixes.Where(p => p.Kind == NamespaceKind.Shared).ToList());
    }

    private PrefixDraft Current => _current ?? throw new InvalidOperationException("not inside a prefix block");

    private NamespacePrefix Complete(PrefixDraft draft)
    {
        var directory = draft.Directory ?? draft.Prefix;
        if (directory.Length > 1)
        {
            // GNU trims trailing slashes; keep "/" itself meaningful.
            directory = directory.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/";
        }

        var mode = draft.Mode ?? (_namespaceModes.TryGetValue(draft.Kind, out var namespaceMode) ? namespaceMode : null);
        return new NamespacePrefix(draft.Kind, draft.Prefix, draft.Delimiter ?? '/', directory, draft.MailboxType, mode)
        {
            MaildirPlusPlus = draft.MaildirPlusPlus,
        };
    }

    private sealed class PrefixDraft(NamespaceKind kind, string prefix, SourceLocation location)
    {
        public NamespaceKind Kind { get; } = kind;

        public bool MaildirPlusPlus { get; set; }

        public string Prefix { get; } = prefix;

        public SourceLocation Location { get; } = location;

        public string? Directory { get; set; }

        public char? Delimiter { get; set; }

        public string? MailboxType { get; set; }

        public int? Mode { get; set; }
    }
}
