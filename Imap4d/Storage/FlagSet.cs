using System.Collections.Immutable;

namespace Imap4d.Storage;

/// <summary>
/// The stored flags of a message: system flags plus keywords (atoms, case-insensitive as
/// RFC 3501 says; kept in the spelling first seen). Immutable.
/// </summary>
public readonly record struct FlagSet
{
    public static readonly StringComparer KeywordComparer = StringComparer.OrdinalIgnoreCase;

    private static readonly ImmutableSortedSet<string> NoKeywords = ImmutableSortedSet.Create<string>(KeywordComparer);

    private readonly ImmutableSortedSet<string>? _keywords;

    public FlagSet(MessageFlags system, ImmutableSortedSet<string> keywords)
    {
        System = system;
        _keywords = keywords.KeyComparer == KeywordComparer ? keywords : keywords.WithComparer(KeywordComparer);
    }

    public MessageFlags System { get; }

    /// <summary>Keywords; never null, also for <c>default(FlagSet)</c>.</summary>
    public ImmutableSortedSet<string> Keywords => _keywords ?? NoKeywords;

    public static FlagSet Empty { get; } = new(MessageFlags.None, NoKeywords);

    /// <summary>System flags only (no keyword set to build).</summary>
    public static FlagSet Of(MessageFlags system) => new(system, NoKeywords);

    public static FlagSet Of(MessageFlags system, params string[] keywords) =>
        new(system, ImmutableSortedSet.CreateRange(KeywordComparer, keywords));

    public bool Has(MessageFlags flag) => (System & flag) == flag;

    // Without keywords on one side (most STOREs), no set operation: each would make an enumerator per message.
    public FlagSet Add(FlagSet other) =>
        new(System | other.System, other.Keywords.Count == 0 ? Keywords : Keywords.Count == 0 ? other.Keywords : Keywords.Union(other.Keywords));

    public FlagSet Remove(FlagSet other) =>
        new(System & ~other.System, other.Keywords.Count == 0 || Keywords.Count == 0 ? Keywords : Keywords.Except(other.Keywords));

    public FlagSet Apply(FlagOperation operation, FlagSet flags) => operation switch
    {
        FlagOperation.Replace => flags,
        FlagOperation.Add => Add(flags),
        FlagOperation.Remove => Remove(flags),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    public bool Equals(FlagSet other) =>
        System == other.System && Keywords.Count == other.Keywords.Count && (Keywords.Count == 0 || Keywords.SetEquals(other.Keywords));

    public override int GetHashCode() => HashCode.Combine(System, Keywords.Count);

    /// <summary>IMAP names, system flags first: \Seen \Answered \Flagged \Deleted \Draft, then keywords.</summary>
    public IEnumerable<string> ToImapNames()
    {
        if (Has(MessageFlags.Seen))
        {
            yield return @"\Seen";
        }

        if (Has(MessageFlags.Answered))
        {
            yield return @"\Answered";
        }

        if (Has(MessageFlags.Flagged))
        {
            yield return @"\Flagged";
        }

        if (Has(MessageFlags.Deleted))
        {
            yield return @"\Deleted";
        }

        if (Has(MessageFlags.Draft))
        {
            yield return @"\Draft";
        }

        if (Keywords.Count > 0)
        {
            foreach (string keyword in Keywords)
            {
                yield return keyword;
            }
        }
    }

    /// <summary>
    /// The system flags' IMAP names in <see cref="ToImapNames"/>'s order, for each combination of
    /// the five bits: a FLAGS response per message writes them without an iterator.
    /// </summary>
    public static string[] SystemNames(MessageFlags system) => SystemNameTable[(int)(system & AllSystem)];

    private const MessageFlags AllSystem = MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged | MessageFlags.Deleted | MessageFlags.Draft;

    private static readonly string[][] SystemNameTable = BuildSystemNameTable();

    private static string[][] BuildSystemNameTable()
    {
        var table = new string[(int)AllSystem + 1][];
        for (int bits = 0; bits < table.Length; bits++)
        {
            table[bits] = [.. new FlagSet((MessageFlags)bits, NoKeywords).ToImapNames()];
        }

        return table;
    }

    /// <summary>The system flag for an IMAP name such as "\Seen" (any case); None when it is not one.</summary>
    public static MessageFlags SystemFlagOf(string name) => name.ToLowerInvariant() switch
    {
        @"\seen" => MessageFlags.Seen,
        @"\answered" => MessageFlags.Answered,
        @"\flagged" => MessageFlags.Flagged,
        @"\deleted" => MessageFlags.Deleted,
        @"\draft" => MessageFlags.Draft,
        _ => MessageFlags.None,
    };

    public override string ToString() => "(" + string.Join(' ', ToImapNames()) + ")";
}

/// <summary>How STORE combines flags: FLAGS, +FLAGS, -FLAGS.</summary>
public enum FlagOperation
{
    Replace,
    Add,
    Remove,
}
