using Imap4d.Protocol;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Session;

/// <summary>
/// The selected mailbox as this client knows it: the sequence-number-to-UID map the client
/// has been told about, and the updates (EXISTS, RECENT, EXPUNGE, FETCH FLAGS) still to send.
/// Expunges are withheld while a command that uses sequence numbers runs (RFC 3501 §7.4.1).
/// </summary>
public sealed class SelectedMailbox : IDisposable
{
    private readonly SequenceMap _uids;
    private readonly HashSet<uint> _pendingExpunges = [];

    /// <summary>What this session last knew of messages expunged elsewhere and not yet announced (FETCH serves them).</summary>
    private readonly Dictionary<uint, MessageInfo> _expungedInfo = [];
    private readonly HashSet<string> _knownKeywords;

    /// <summary>The view <see cref="_knownKeywords"/> was last compared with (keywords only change with a new view).</summary>
    private IReadOnlyList<MessageInfo> _keywordsOfView;
    private int _recentCount;
    private FetchCache? _cache;
    private bool _cacheOpened;

    public SelectedMailbox(IMailbox mailbox)
    {
        Mailbox = mailbox;
        _uids = new SequenceMap(mailbox.Messages);
        _recentCount = mailbox.RecentUids.Count;
        _knownKeywords = new HashSet<string>(mailbox.Keywords, FlagSet.KeywordComparer);
        _keywordsOfView = mailbox.Messages;
    }

    public IMailbox Mailbox { get; }

    /// <summary>CONDSTORE is on (RFC 7162 §3.1): FETCH responses for flag changes carry MODSEQ.</summary>
    public bool ReportModSeq { get; set; }

    /// <summary>QRESYNC is on (RFC 7162 §3.2): expunges are told as VANISHED, flag changes with their UID.</summary>
    public bool ReportVanished { get; set; }

    /// <summary>
    /// The session speaks IMAP4rev2 (set at SELECT from Commands.Imap4Rev2, which ENABLE cannot change
    /// while a mailbox is selected): no \Recent flag, no RECENT or [UNSEEN n] (RFC 9051 Appendix E
    /// items 11 and 12), and the UID in every unsolicited FETCH (§7.5.2).
    /// </summary>
    public bool IsImap4Rev2 { get; init; }

    /// <summary>
    /// The UIDs of the last <c>SEARCH RETURN (SAVE)</c> (RFC 5182), for <c>$</c>; empty until one,
    /// and for each new selection. Expunged messages drop out when <c>$</c> is resolved.
    /// </summary>
    public IReadOnlySet<uint> SavedResult { get; set; } = new HashSet<uint>();

    /// <summary>The updating searches open on this selection (RFC 5267 CONTEXT=SEARCH, CONTEXT=SORT).</summary>
    public List<Commands.Search.SearchContext> SearchContexts { get; } = [];

    /// <summary>The FETCH cache of this mailbox, opened on first use; null when the mailbox has none.</summary>
    public FetchCache? Cache => _cacheOpened ? _cache : OpenCache();

    public bool ReadOnly => Mailbox.ReadOnly;

    /// <summary>Messages as the client counts them (expunged ones not yet announced included).</summary>
    public int Count => _uids.Count;

    /// <summary>UIDs in sequence order, as the client knows them.</summary>
    public IReadOnlyList<uint> Uids => _uids;

    public uint UidOf(int sequence) => _uids[sequence - 1];

    /// <summary>The sequence number of a UID, or 0 when the client does not know it.</summary>
    public int SequenceOf(uint uid)
    {
        int index = _uids.BinarySearch(uid);
        return index < 0 ? 0 : index + 1;
    }

    /// <summary>
    /// As <see cref="SequenceOf(uint)"/> for UIDs asked in ascending order: the position after the
    /// last one found (<paramref name="hint"/>) is tried before a search, so a FETCH of a range
    /// does no binary search per message (two per message were a fifth of a FETCH of 100,000).
    /// </summary>
    public int SequenceOf(uint uid, ref int hint) => UidSequence.IndexOf(_uids, _uids.Count, uid, ref hint) + 1;

    /// <summary>True for messages expunged by someone else but not yet announced to this client.</summary>
    public bool IsExpungedPending(uint uid) => _pendingExpunges.Contains(uid);

    /// <summary>Current info of a message, or null when its data is gone.</summary>
    public MessageInfo? Find(uint uid) => Find(Mailbox.Messages, uid);

    /// <summary>Whether <see cref="Find"/> would find the message, without making its <see cref="MessageInfo"/> (lists that make them on demand).</summary>
    public bool Has(uint uid) =>
        Mailbox.Messages is IUidIndexedList indexed ? indexed.IndexOfUid(uid) >= 0 : Find(uid) is not null;

    /// <summary>Without a <see cref="MessageInfo"/> per message when the driver's list can look itself.</summary>
    private static int FirstUnseen(IReadOnlyList<MessageInfo> messages)
    {
        if (messages is IUidIndexedList indexed)
        {
            return indexed.FirstUnseen();
        }

        for (int i = 0; i < messages.Count; i++)
        {
            if (!messages[i].Flags.Has(MessageFlags.Seen))
            {
                return i;
            }
        }

        return -1;
    }

    private static MessageInfo? Find(IReadOnlyList<MessageInfo> messages, uint uid)
    {
        int at = IndexOf(messages, uid);
        return at < 0 ? null : messages[at];
    }

    /// <summary>The position of <paramref name="uid"/> in <paramref name="messages"/> (ascending UIDs), or -1.</summary>
    private static int IndexOf(IReadOnlyList<MessageInfo> messages, uint uid) =>
        messages is IUidIndexedList indexed ? indexed.IndexOfUid(uid) : UidSequence.IndexOf(new MessageUids(messages), messages.Count, uid);

    /// <summary>
    /// <see cref="Find"/>, or for a message expunged by someone else that the client has not been
    /// told about yet, what this session last knew of it (its data may be gone).
    /// </summary>
    public MessageInfo? FindForFetch(uint uid) => Find(uid) ?? _expungedInfo.GetValueOrDefault(uid);

    /// <summary>As <see cref="FindForFetch(uint)"/> for UIDs asked in ascending order (see <see cref="SequenceOf(uint, ref int)"/>).</summary>
    public MessageInfo? FindForFetch(uint uid, ref int hint) => Find(uid, ref hint) ?? _expungedInfo.GetValueOrDefault(uid);

    /// <summary>As <see cref="Find(uint)"/> for UIDs asked in ascending order (see <see cref="SequenceOf(uint, ref int)"/>).</summary>
    public MessageInfo? Find(uint uid, ref int hint)
    {
        var messages = Mailbox.Messages;
        int at = messages is IUidIndexedList indexed
            ? UidSequence.IndexOf(indexed, messages.Count, uid, ref hint)
            : UidSequence.IndexOf(new MessageUids(messages), messages.Count, uid, ref hint);
        return at < 0 ? null : messages[at];
    }

    /// <summary>Resolves a sequence set (of sequence numbers or UIDs) to UIDs the client knows, ascending.</summary>
    public IReadOnlyList<uint> Resolve(SequenceSet set, bool byUid)
    {
        if (_uids.Count == 0)
        {
            return [];
        }

        if (set.IsSavedResult)
        {
            return SavedResult.Where(uid => _uids.BinarySearch(uid) >= 0).Order().ToList();
        }

        if (!byUid)
        {
            return set.Enumerate((uint)_uids.Count).Select(n => _uids[(int)n - 1]).ToList();
        }

        uint max = _uids[^1];
        var result = new List<uint>();
        foreach (var (first, last) in set.Ranges)
        {
            uint a = first == SequenceSet.Star ? max : first;
            uint b = last == SequenceSet.Star ? max : last;
            if (a > b)
            {
                (a, b) = (b, a);
            }

            int start = _uids.BinarySearch(a);
            start = start < 0 ? ~start : start;
            for (int i = start; i < _uids.Count && _uids[i] <= b; i++)
            {
                result.Add(_uids[i]);
            }
        }

        // One range (1:*, n:m) gives its UIDs in order already: no sort of 100,000 of them.
        return UidSequence.IsStrictlyAscending(result) ? result : result.Distinct().Order().ToList();
    }

    /// <summary>
    /// Writes the untagged responses of SELECT/EXAMINE in GNU imap4d's order (RFC 3501 leaves the
    /// order free; scripts written against GNU expect this one): EXISTS, RECENT, UIDVALIDITY,
    /// UIDNEXT, UNSEEN, FLAGS, PERMANENTFLAGS; in IMAP4rev2 without RECENT and UNSEEN.
    /// </summary>
    public void WriteSelectResponses(ResponseWriter writer)
    {
        writer.Untagged().Number(_uids.Count).Atom("EXISTS").EndLine();
        if (!IsImap4Rev2)
        {
            writer.Untagged().Number(_recentCount).Atom("RECENT").EndLine();
        }

        writer.UntaggedStatus("OK", $"UIDVALIDITY {Mailbox.UidValidity}", "UID validity status");
        writer.UntaggedStatus("OK", $"UIDNEXT {Mailbox.UidNext}", "Predicted next UID");
        int firstUnseen = IsImap4Rev2 ? -1 : FirstUnseen(Mailbox.Messages);
        if (firstUnseen >= 0)
        {
            writer.UntaggedStatus("OK", $"UNSEEN {firstUnseen + 1}", "First unseen message");
        }

        WriteFlags(writer);
    }

    /// <summary>
    /// Takes in changes from storage and writes the untagged updates. With
    /// <paramref name="allowExpunge"/> false, expunges are kept for later and the view keeps them.
    /// </summary>
    public void Poll(ResponseWriter writer, bool allowExpunge)
    {
        var before = Mailbox.Messages;
        var changes = Mailbox.Sync();
        _uids.LetGoOf(Mailbox.Messages);
        foreach (uint uid in changes.Expunged)
        {
            _pendingExpunges.Add(uid);
            if (!allowExpunge && Find(before, uid) is { } info)
            {
                _expungedInfo[uid] = info;
            }
        }

        if (allowExpunge)
        {
            AnnounceExpunges(writer, _pendingExpunges.Order().ToList());
            _pendingExpunges.Clear();
            _expungedInfo.Clear();
        }

        // Mailbox.Keywords walks every message: ask only when the view was replaced.
        if (!ReferenceEquals(_keywordsOfView, Mailbox.Messages))
        {
            _keywordsOfView = Mailbox.Messages;
            AnnounceKeywords(writer, Mailbox.Keywords);
        }

        foreach (uint uid in changes.FlagsChanged)
        {
            int seq = SequenceOf(uid);
            var info = Find(uid);
            if (seq > 0 && info is not null)
            {
                WriteFetchFlags(writer, seq, info, includeUid: IsImap4Rev2);
            }
        }

        if (changes.Added.Count > 0)
        {
            // In UID order: sequence numbers must follow UIDs, whatever order the driver found them in.
            foreach (uint uid in changes.Added.Order())
            {
                if (_uids.Count == 0 || uid > _uids[^1])
                {
                    _uids.Add(uid);
                }
            }

            writer.Untagged().Number(_uids.Count).Atom("EXISTS").EndLine();
        }

        if (!IsImap4Rev2 && (Mailbox.RecentUids.Count != _recentCount || changes.Added.Count > 0))
        {
            _recentCount = Mailbox.RecentUids.Count;
            writer.Untagged().Number(_recentCount).Atom("RECENT").EndLine();
        }

        // After EXISTS, so that the sequence numbers of new messages are valid (RFC 5267 §4.3.3).
        foreach (var context in SearchContexts)
        {
            context.Refresh(writer, this);
        }
    }

    /// <summary>Announces messages this session expunged itself (EXPUNGE, CLOSE is silent).</summary>
    public void AnnounceExpunges(ResponseWriter writer, IReadOnlyList<uint> expunged)
    {
        // Updating searches first, while the sequence numbers are still valid (RFC 5267 §4.3.4).
        foreach (var context in SearchContexts)
        {
            context.RemoveExpunged(writer, this, expunged);
        }

        if (ReportVanished)
        {
            // RFC 7162 §3.2.10: one VANISHED line of UIDs instead of an EXPUNGE per message.
            var known = expunged.Where(uid => SequenceOf(uid) > 0).ToList();
            if (known.Count > 0)
            {
                var gone = known.ToHashSet();
                _uids.RemoveAll(gone.Contains);
                writer.Untagged().Atom("VANISHED").Atom(Storage.ModSeq.UidSet.Of(known).ToString()).EndLine();
            }

            return;
        }

        // Highest first, so each number is still right when the client applies it.
        foreach (uint uid in expunged.OrderDescending())
        {
            int seq = SequenceOf(uid);
            if (seq > 0)
            {
                writer.Untagged().Number(seq).Atom("EXPUNGE").EndLine();
                _uids.RemoveAt(seq - 1);
            }
        }
    }

    /// <summary>
    /// Before a line that shows <paramref name="info"/>'s flags: a "* FLAGS" (and PERMANENTFLAGS)
    /// that adds any keyword of it the client has not been told about yet (RFC 3501 §7.2.6: a
    /// client learns the keywords of a mailbox from FLAGS). Call it before the line starts.
    /// </summary>
    public void AnnounceKeywordsOf(ResponseWriter writer, MessageInfo info)
    {
        if (info.Flags.Keywords.Count > 0)
        {
            AnnounceKeywords(writer, info.Flags.Keywords);
        }
    }

    /// <summary>
    /// Adds keywords to the announced set and sends FLAGS when any was new. The set only grows
    /// while the mailbox is selected: a keyword may still be on a message the client knows (one
    /// expunged elsewhere but not yet announced), and dropping it would make a later FETCH carry
    /// a keyword FLAGS no longer lists (Dovecot keeps them too).
    /// </summary>
    private void AnnounceKeywords(ResponseWriter writer, IEnumerable<string> keywords)
    {
        bool added = false;
        foreach (string keyword in keywords)
        {
            added |= _knownKeywords.Add(keyword);
        }

        if (added)
        {
            WriteFlags(writer);
        }
    }

    /// <summary>
    /// "* n FETCH (FLAGS (...))", with \Recent for this session's recent messages; with CONDSTORE
    /// on, MODSEQ too, and with QRESYNC the UID always (RFC 7162 §3.2.4: the client may not know
    /// the sequence number yet).
    /// </summary>
    public void WriteFetchFlags(ResponseWriter writer, int seq, MessageInfo info, bool includeUid)
    {
        AnnounceKeywordsOf(writer, info);
        writer.Untagged().Number(seq).Atom("FETCH").BeginList();
        if (includeUid || ReportVanished)
        {
            writer.Atom("UID").Number(info.Uid);
        }

        writer.Atom("FLAGS");
        WriteFlagList(writer, info);
        if (ReportModSeq)
        {
            WriteModSeq(writer, info);
        }

        writer.EndList().EndLine();
    }

    /// <summary>"MODSEQ (n)" of a FETCH response.</summary>
    public static void WriteModSeq(ResponseWriter writer, MessageInfo info) =>
        writer.Atom("MODSEQ").BeginList().Atom(info.ModSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)).EndList();

    public void WriteFlagList(ResponseWriter writer, MessageInfo info)
    {
        writer.BeginList();
        var flags = info.Flags;
        foreach (string flag in FlagSet.SystemNames(flags.System))
        {
            writer.Atom(flag);
        }

        if (flags.Keywords.Count > 0)
        {
            foreach (string keyword in flags.Keywords)
            {
                writer.Atom(keyword);
            }
        }

        if (!IsImap4Rev2 && Mailbox.RecentUids.Contains(info.Uid))
        {
            writer.Atom(@"\Recent");
        }

        writer.EndList();
    }

    public void Dispose()
    {
        _cache?.Dispose();
        Mailbox.Dispose();
    }

    private FetchCache? OpenCache()
    {
        _cacheOpened = true;
        _cache = FetchCache.Open(Mailbox.FetchCacheFile, Mailbox.UidValidity, Mailbox.CacheFingerprint);
        _cache?.CompactIfWasteful(Mailbox.Messages);
        return _cache;
    }

    private void WriteFlags(ResponseWriter writer)
    {
        var flags = new List<string> { @"\Answered", @"\Flagged", @"\Deleted", @"\Seen", @"\Draft" };
        flags.AddRange(_knownKeywords.Order(StringComparer.Ordinal));
        writer.Untagged().Atom("FLAGS").BeginList();
        foreach (string flag in flags)
        {
            writer.Atom(flag);
        }

        writer.EndList().EndLine();
        if (ReadOnly)
        {
            writer.UntaggedStatus("OK", "PERMANENTFLAGS ()", "No permanent flags permitted");
        }
        else
        {
            string permanent = string.Join(' ', Mailbox.SupportsKeywords ? flags.Append(@"\*") : flags);
            writer.UntaggedStatus("OK", $"PERMANENTFLAGS ({permanent})", "Flags permitted");
        }
    }
}
