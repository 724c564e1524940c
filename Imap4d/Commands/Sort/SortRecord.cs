using System.Runtime.CompilerServices;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The sort keys of one message, worked out from its header once per selection and kept (see
/// <see cref="SortRecordReader"/>). Strings are i;unicode-casemap keys (<see cref="UnicodeCasemap"/>),
/// compared ordinally.
/// </summary>
public sealed class SortRecord
{
    /// <summary>The fields below that hold values.</summary>
    public SortFields Known { get; set; }

    /// <summary>The fingerprint of the message content the record was made from (see IMailbox.CacheFingerprint).</summary>
    public ulong Fingerprint { get; init; }

    /// <summary>The sent date in Unix seconds (the internal date when Date: is missing or unreadable).</summary>
    public long SentTime { get; set; }

    /// <summary>The base subject (RFC 5256 §2.1).</summary>
    public string Subject { get; set; } = "";

    /// <summary>The subject was a reply or a forward ("Re:", "Fwd:", "(fwd)", "[fwd: …]").</summary>
    public bool ReplyOrForward { get; set; }

    /// <summary>The local part of the first From:, To:, Cc: address (RFC 5256 addr-mailbox).</summary>
    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public string Cc { get; set; } = "";

    /// <summary>The display name of the first From: or To: address, else its address (RFC 5957).</summary>
    public string DisplayFrom { get; set; } = "";

    public string DisplayTo { get; set; } = "";

    /// <summary>The first msg-id of Message-ID:, or null.</summary>
    public string? MessageId { get; set; }

    /// <summary>References: ids, or the first In-Reply-To: id when References: has none (RFC 5256 REFERENCES step 1).</summary>
    public IReadOnlyList<string> References { get; set; } = [];

    /// <summary>
    /// Per string key: the rank of this record's value in a <see cref="SortRankTable"/>, with the
    /// table's stamp in the high half (0: none), so a repeated SORT looks up no strings.
    /// </summary>
    internal RankSlots Ranks;

    /// <summary>The rank kept for <paramref name="key"/> from <paramref name="table"/>, or -1 when it is from another table.</summary>
    internal int KeptRank(SortKey key, SortRankTable table)
    {
        long slot = Ranks[(int)key];
        return (int)(slot >> 32) == table.Stamp ? (int)slot : -1;
    }

    internal void KeepRank(SortKey key, SortRankTable table, int rank) => Ranks[(int)key] = ((long)table.Stamp << 32) | (uint)rank;

    [InlineArray(9)]
    internal struct RankSlots
    {
        private long _slot;
    }
}
