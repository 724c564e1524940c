namespace Imap4d.Storage.Memory;

/// <summary>The shared state of one in-memory mailbox; every open <see cref="MemoryMailbox"/> on it sees the same data.</summary>
internal sealed class MemoryMailboxData
{
    public uint UidValidity { get; init; }

    public uint UidNext { get; set; } = 1;

    public uint RecentBoundary { get; set; }

    public ulong ModSeq { get; set; } = 1;

    /// <summary>Messages by UID, with their content in client form (CRLF).</summary>
    public SortedDictionary<uint, (MessageInfo Info, byte[] Content)> Messages { get; } = [];

    /// <summary>When each message was appended or copied here (RFC 8514 SAVEDATE).</summary>
    public Dictionary<uint, DateTimeOffset> SaveDates { get; } = [];

    public object Sync { get; } = new();

    /// <summary>Every expunge: its MODSEQ and the UIDs it removed (complete: the data lives as long as the record).</summary>
    public ModSeq.VanishedLog Vanished { get; } = new(null);
}
