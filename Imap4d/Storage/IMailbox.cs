namespace Imap4d.Storage;

/// <summary>
/// An open mailbox. <see cref="Messages"/> is a snapshot in sequence (ascending UID) order,
/// changed only by this object's own <see cref="Store"/> and <see cref="Expunge"/> and by
/// <see cref="Sync"/>, which takes in what other sessions and programs did. Not thread-safe:
/// one session uses it. Disposing it writes back what must be written and drops locks.
/// </summary>
public interface IMailbox : IDisposable
{
    /// <summary>The IMAP name this mailbox was opened under.</summary>
    string Name { get; }

    uint UidValidity { get; }

    /// <summary>The UID the next appended message will get (as of the last sync).</summary>
    uint UidNext { get; }

    bool ReadOnly { get; }

    /// <summary>True when keywords can be stored (PERMANENTFLAGS includes \*).</summary>
    bool SupportsKeywords { get; }

    /// <summary>
    /// The view. Never changed in place: any change of a message, its flags or the mailbox's
    /// keywords comes with a new list, so a caller may compare references to skip work.
    /// </summary>
    IReadOnlyList<MessageInfo> Messages { get; }

    /// <summary>UIDs that are \Recent in this session (RFC 3501: exactly one session sees a message as recent).</summary>
    IReadOnlySet<uint> RecentUids { get; }

    /// <summary>Every keyword used in this mailbox (for the FLAGS response).</summary>
    IReadOnlyCollection<string> Keywords { get; }

    /// <summary>
    /// Re-reads what changed on disk since the last view. Cheap when nothing changed
    /// (a stat or two). New messages seen here for the first time may become recent.
    /// </summary>
    MailboxChanges Sync();

    /// <summary>
    /// Appends a message (bytes as the client sent them, CRLF or LF) and returns its UID.
    /// The message appears in <see cref="Messages"/> at the next <see cref="Sync"/>.
    /// </summary>
    uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate);

    /// <summary>
    /// Appends messages in order and returns their UIDs, as one operation where the driver can
    /// (mbox: one lock and one fsync for many messages). Default: one <see cref="Append"/> each.
    /// </summary>
    IReadOnlyList<uint> AppendMany(IEnumerable<AppendItem> messages)
    {
        var uids = new List<uint>();
        foreach (var message in messages)
        {
            using var content = message.Open();
            uids.Add(Append(content, message.Flags, message.InternalDate));
        }

        return uids;
    }

    /// <summary>
    /// Appends every message or none (MULTIAPPEND, RFC 3502): when this throws, no message of the
    /// call is left in the mailbox. Returns their UIDs in order. Default: <see cref="AppendMany"/>,
    /// for drivers whose appends cannot fail part way.
    /// </summary>
    IReadOnlyList<uint> AppendAll(IReadOnlyList<AppendItem> messages) => AppendMany(messages);

    /// <summary>
    /// Changes flags; returns the messages whose flags changed, with their new flags (and new
    /// MODSEQ). With a <paramref name="condition"/>, a message changed since its UNCHANGEDSINCE is
    /// left alone and listed there, checked under the same lock as the change.
    /// </summary>
    IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags,
        StoreCondition? condition = null);

    /// <summary>
    /// HIGHESTMODSEQ (RFC 7162) as of the last <see cref="Sync"/>: at least every message's MODSEQ
    /// in <see cref="Messages"/> and the MODSEQ of every expunge the view has taken in.
    /// </summary>
    ulong HighestModSeq { get; }

    /// <summary>False when MODSEQs do not survive the session (no place for durable state): NOMODSEQ.</summary>
    bool PersistentModSeq => true;

    /// <summary>
    /// The UIDs expunged at a MODSEQ above <paramref name="modSeq"/>; null when the mailbox does
    /// not know (then every UID not present may have vanished).
    /// </summary>
    ModSeq.UidSet? VanishedSince(ulong modSeq) => null;

    /// <summary>
    /// Removes messages flagged \Deleted (only those in <paramref name="onlyUids"/> when given, for
    /// UID EXPUNGE) and returns their UIDs in ascending order.
    /// </summary>
    IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null);

    /// <summary>Copies messages to <paramref name="target"/>; returns (source UID, new UID) pairs in source order.</summary>
    IReadOnlyList<(uint Source, uint Target)> CopyTo(IReadOnlyCollection<uint> uids, IMailbox target);

    /// <summary>
    /// The message as the client sees it: CRLF line ends, storage bookkeeping headers
    /// (X-UID, Status, ...) removed; exactly <see cref="MessageInfo.Size"/> bytes.
    /// </summary>
    Stream OpenContent(uint uid);

    /// <summary>
    /// The start of <see cref="OpenContent"/>'s bytes, at least through the empty line that ends
    /// the header (all of them when there is none): for readers of the header only, so a driver
    /// that knows where the header ends need not read the body.
    /// </summary>
    Stream OpenHeader(uint uid) => OpenContent(uid);

    /// <summary>Writes pending changes so that other programs see them (CHECK, CLOSE).</summary>
    void Checkpoint();

    /// <summary>
    /// Where a change by another session or program shows, for IDLE and NOTIFY to wait on instead
    /// of polling; empty when there is nothing to watch (they poll <see cref="Sync"/> then).
    /// </summary>
    IReadOnlyList<ChangeSource> ChangeSources => [];

    /// <summary>
    /// True when this mailbox knows when its messages were saved in it (RFC 8514 SAVEDATE;
    /// SEARCH SAVEDATESUPPORTED matches every message then, none otherwise).
    /// </summary>
    bool SupportsSaveDate => false;

    /// <summary>
    /// When the message was stored in this mailbox (APPEND, COPY, MOVE or delivery; RFC 8514);
    /// null when the mailbox does not know (FETCH SAVEDATE answers NIL).
    /// </summary>
    DateTimeOffset? SaveDate(uint uid) => null;

    /// <summary>Where FETCH may keep its cache of computed items (beside the index); null for none.</summary>
    string? FetchCacheFile => null;

    /// <summary>
    /// What identifies the content of a listed message beside its UID, for the FETCH cache (a
    /// cache entry is served only when this matches). Default: size and internal date.
    /// </summary>
    ulong CacheFingerprint(MessageInfo message) => Index.FetchCache.FingerprintOf(message);
}
