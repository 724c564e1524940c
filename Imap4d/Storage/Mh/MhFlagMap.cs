using System.Collections.Immutable;

namespace Imap4d.Storage.Mh;

/// <summary>
/// IMAP flags as MH sequences. \Seen is the absence from <c>unseen</c> (nmh's Unseen-Sequence);
/// \Answered is <c>replied</c>, \Flagged <c>flagged</c> (the names mutt and mh-e use); \Deleted and
/// \Draft are the sequences <c>deleted</c> and <c>draft</c>. Every other public sequence except
/// <c>cur</c> is a keyword of the same name; a keyword that cannot be a sequence name (nmh allows
/// only a letter followed by letters and digits, e.g. not <c>$Label1</c>) lives only in the index.
/// Keywords are case-insensitive, sequences are not: an existing sequence is matched ignoring
/// case, a new one is created in lower case.
/// </summary>
public static class MhFlagMap
{
    public const string Unseen = "unseen";
    public const string Replied = "replied";
    public const string Flagged = "flagged";
    public const string Deleted = "deleted";
    public const string Draft = "draft";
    public const string Cur = "cur";

    private static readonly (string Name, MessageFlags Flag)[] SystemSequences =
    [
        (Replied, MessageFlags.Answered),
        (Flagged, MessageFlags.Flagged),
        (Deleted, MessageFlags.Deleted),
        (Draft, MessageFlags.Draft),
    ];

    /// <summary>Names that are never keywords: ours, <c>cur</c>, and the names nmh reserves in message lists.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        Unseen, Replied, Flagged, Deleted, Draft, Cur, "all", "first", "last", "prev", "next", "new",
    };

    /// <summary>True when the keyword is kept in <c>.mh_sequences</c> (otherwise only in the index).</summary>
    public static bool IsSequenceKeyword(string keyword) => MhSequences.IsValidName(keyword) && !Reserved.Contains(keyword);

    /// <summary>Keyword sequences present in <paramref name="sequences"/>.</summary>
    public static IReadOnlyList<(string Name, IReadOnlySet<int> Numbers)> KeywordSequences(MhSequences sequences) =>
        sequences.Names.Where(IsSequenceKeyword).Distinct().Select(n => (n, sequences.Get(n))).ToList();

    /// <summary>
    /// The flags of message <paramref name="number"/>: what the sequences say, plus the index-only
    /// keywords of <paramref name="previous"/>.
    /// </summary>
    public static FlagSet Read(MhSequences sequences, IReadOnlyList<(string Name, IReadOnlySet<int> Numbers)> keywordSequences,
        int number, FlagSet previous) => new Reader(sequences, keywordSequences).Read(number, previous);

    /// <summary>
    /// Reads the flags of many messages: each sequence is looked up once, not once per message, and a
    /// message without keywords gets no keyword set built (a first SELECT of 10,000 messages spent a
    /// sixth of its time here).
    /// </summary>
    public sealed class Reader
    {
        private static readonly IReadOnlySet<int> None = new HashSet<int>();
        private readonly IReadOnlySet<int> _unseen;
        private readonly (IReadOnlySet<int> Numbers, MessageFlags Flag)[] _system;
        private readonly IReadOnlyList<(string Name, IReadOnlySet<int> Numbers)> _keywords;

        public Reader(MhSequences sequences)
            : this(sequences, KeywordSequences(sequences))
        {
        }

        public Reader(MhSequences sequences, IReadOnlyList<(string Name, IReadOnlySet<int> Numbers)> keywordSequences)
        {
            _unseen = sequences.Contains(Unseen) ? sequences.Get(Unseen) : None;
            _system = SystemSequences.Where(s => sequences.Contains(s.Name)).Select(s => (sequences.Get(s.Name), s.Flag)).ToArray();
            _keywords = keywordSequences;
        }

        public FlagSet Read(int number, FlagSet previous)
        {
            var system = _unseen.Contains(number) ? MessageFlags.None : MessageFlags.Seen;
            foreach (var (numbers, flag) in _system)
            {
                if (numbers.Contains(number))
                {
                    system |= flag;
                }
            }

            ImmutableSortedSet<string>.Builder? keywords = null;
            foreach (var (name, numbers) in _keywords)
            {
                if (numbers.Contains(number))
                {
                    (keywords ??= ImmutableSortedSet.CreateBuilder<string>(FlagSet.KeywordComparer)).Add(name);
                }
            }

            foreach (string keyword in previous.Keywords)
            {
                if (!IsSequenceKeyword(keyword))
                {
                    (keywords ??= ImmutableSortedSet.CreateBuilder<string>(FlagSet.KeywordComparer)).Add(keyword);
                }
            }

            return keywords is null ? FlagSet.Of(system) : new FlagSet(system, keywords.ToImmutable());
        }
    }

    /// <summary>Puts <paramref name="number"/> into exactly the sequences <paramref name="flags"/> call for; true when something changed.</summary>
    public static bool Write(MhSequences sequences, int number, FlagSet old, FlagSet flags)
    {
        bool changed = sequences.Set(Unseen, number, !flags.Has(MessageFlags.Seen));
        foreach (var (name, flag) in SystemSequences)
        {
            changed |= sequences.Set(name, number, flags.Has(flag));
        }

        foreach (string keyword in old.Keywords.Except(flags.Keywords).Where(IsSequenceKeyword))
        {
            string? existing = sequences.FindIgnoreCase(keyword);
            if (existing is not null)
            {
                changed |= sequences.Set(existing, number, false);
            }
        }

        foreach (string keyword in flags.Keywords.Where(IsSequenceKeyword))
        {
            string name = sequences.FindIgnoreCase(keyword) ?? keyword.ToLowerInvariant();
            changed |= sequences.Set(name, number, true);
        }

        return changed;
    }
}
