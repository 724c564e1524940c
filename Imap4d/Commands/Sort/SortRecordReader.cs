using System.Runtime.CompilerServices;
using Imap4d.Commands.Search;
using Imap4d.Commands.Thread;
using Imap4d.Mime;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Commands.Sort;

/// <summary>
/// Gives the <see cref="SortRecord"/>s of messages for a SORT or THREAD. The header fields come
/// from the FETCH cache (<see cref="CachedHeaderFields"/>: every sort and thread field is among
/// them), so a mailbox a client has listed is sorted without opening a message; a header that is
/// not cached is read once and cached for the next time. The records are kept for the mailbox
/// (<see cref="MailboxSortState"/>): a second SORT or THREAD parses nothing, in this selection
/// or the next.
/// </summary>
internal static class SortRecordReader
{
    /// <summary>The records this selection has checked against its messages' fingerprints, by UID, for one collation.</summary>
    private static readonly ConditionalWeakTable<SelectedMailbox, CheckedRecords> Checked = new();

    private sealed class CheckedRecords
    {
        public Collation? Collation { get; set; }

        public Dictionary<uint, SortRecord> Records { get; } = [];
    }

    /// <summary>The records of <paramref name="hits"/>, in their order, with at least <paramref name="needed"/> known.</summary>
    public static SortRecord[] Read(SelectedMailbox selected, IReadOnlyList<(int Sequence, uint Uid)> hits, SortFields needed,
        Collation collation, CancellationToken ct)
    {
        var state = MailboxSortState.For(selected);
        var checkedByCollation = Checked.GetValue(selected, _ => new CheckedRecords());
        var records = new SortRecord[hits.Count];
        var pass = new Pass(selected, collation);
        lock (state.Lock)
        {
            // Keys made with another collation (a COMPARATOR since) are of no use: start afresh.
            state.UseCollation(collation);
            if (checkedByCollation.Collation != collation)
            {
                checkedByCollation.Records.Clear();
                checkedByCollation.Collation = collation;
            }

            var checkedRecords = checkedByCollation.Records;
            try
            {
                for (int i = 0; i < hits.Count; i++)
                {
                    uint uid = hits[i].Uid;
                    if (!checkedRecords.TryGetValue(uid, out var record))
                    {
                        record = Shared(state, selected, uid);
                        checkedRecords[uid] = record;
                    }

                    var missing = needed & ~record.Known;
                    if (missing != SortFields.None)
                    {
                        ct.ThrowIfCancellationRequested();
                        Fill(pass, uid, record, missing);
                    }

                    records[i] = record;
                }
            }
            finally
            {
                if (pass.ToCache.Count > 0)
                {
                    pass.Cache?.PutMany(pass.ToCache);
                }
            }

            state.Prune(selected);
        }

        return records;
    }

    /// <summary>The mailbox's record of a message when it was made from the same content, else a new (empty) one.</summary>
    private static SortRecord Shared(MailboxSortState state, SelectedMailbox selected, uint uid)
    {
        var info = selected.FindForFetch(uid);
        ulong fingerprint = info is null ? 0 : selected.Mailbox.CacheFingerprint(info);
        if (!state.Records.TryGetValue(uid, out var record) || record.Fingerprint != fingerprint || info is null)
        {
            record = new SortRecord { Fingerprint = fingerprint };
            if (info is not null)
            {
                state.Records[uid] = record;
            }
        }

        return record;
    }

    /// <summary>One SORT or THREAD's reading: the headers read from storage wait here to be cached in one write.</summary>
    private sealed class Pass(SelectedMailbox selected, Collation collation)
    {
        public SelectedMailbox Selected { get; } = selected;

        public Collation Collation { get; } = collation;

        /// <summary>The FETCH cache, opened only when a record needs filling (opening scans the whole file).</summary>
        public FetchCache? Cache => _cacheOpened ? _cache : OpenCache();

        private FetchCache? _cache;
        private bool _cacheOpened;

        private FetchCache? OpenCache()
        {
            _cacheOpened = true;
            return _cache = Selected.Cache;
        }

        public List<(MessageInfo, FetchCacheItem, byte[])> ToCache { get; } = [];

        /// <summary>The cache has been asked once for records other sessions added since it was opened.</summary>
        public bool Refreshed { get; set; }
    }

    private static void Fill(Pass pass, uint uid, SortRecord record, SortFields missing)
    {
        var info = pass.Selected.FindForFetch(uid);
        var names = NamesFor[(int)missing];
        var values = info is null ? new string?[names.Count] : ValuesOf(pass, info, names);
        string? Value(string name) => values[names.IndexOf(name)];
        if ((missing & SortFields.Date) != 0)
        {
            record.SentTime = (DateHeader.TryParse(Value("Date"), out var sent) ? sent.UnixSeconds : null) ?? info?.InternalDate.ToUnixTimeSeconds() ?? 0;
        }

        if ((missing & SortFields.Subject) != 0)
        {
            var (subject, reply) = BaseSubject.FromHeader(Value("Subject"));
            record.Subject = pass.Collation.Key(subject);
            record.ReplyOrForward = reply;
        }

        if ((missing & SortFields.From) != 0)
        {
            record.From = pass.Collation.Key(FirstMailbox(Value("From")));
        }

        if ((missing & SortFields.To) != 0)
        {
            record.To = pass.Collation.Key(FirstMailbox(Value("To")));
        }

        if ((missing & SortFields.Cc) != 0)
        {
            record.Cc = pass.Collation.Key(FirstMailbox(Value("Cc")));
        }

        if ((missing & SortFields.DisplayFrom) != 0)
        {
            record.DisplayFrom = pass.Collation.Key(DisplayName(Value("From")));
        }

        if ((missing & SortFields.DisplayTo) != 0)
        {
            record.DisplayTo = pass.Collation.Key(DisplayName(Value("To")));
        }

        if ((missing & SortFields.Links) != 0)
        {
            record.MessageId = MessageIds.First(Value("Message-ID"));
            var references = MessageIds.All(Value("References"));
            if (references.Count == 0 && MessageIds.First(Value("In-Reply-To")) is { } parent)
            {
                references.Add(parent);
            }

            record.References = references;
        }

        record.Known |= missing;
    }

    /// <summary>
    /// The values of the first fields named <paramref name="names"/>: from the cached fields of the
    /// message, or from its header read from storage (to be cached). Only the
    /// first miss looks for records other sessions added (a look costs a stat).
    /// </summary>
    private static string?[] ValuesOf(Pass pass, MessageInfo info, List<string> names)
    {
        var cache = pass.Cache;
        if (cache is not null && (!pass.Refreshed || cache.Contains(info, FetchCacheItem.HeaderFields)))
        {
            if (CachedHeaderFields.TryGetRaw(cache, info, out byte[] raw))
            {
                return CachedHeaderFields.FirstValues(raw, names);
            }

            pass.Refreshed = true;
        }

        try
        {
            using var stream = pass.Selected.Mailbox.OpenHeader(info.Uid);
            var read = MessageHeaderReader.Read(stream);
            var header = HeaderParser.Parse(read.Header.Span, read.Truncated);
            if (cache is not null && !header.Truncated)
            {
                pass.ToCache.Add((info, FetchCacheItem.HeaderFields,
                    CachedHeaderFields.Block(header, CachedHeaderFields.HasBlankLine(read.Header.Span, info.Size))));
            }

            return names.Select(header.GetValue).ToArray();
        }
        catch (Exception e) when (e is IOException or StorageException or UnauthorizedAccessException)
        {
            // Gone under us (expunged by another process): it sorts as a message without a header.
            return new string?[names.Count];
        }
    }

    /// <summary>The field names of every combination of <see cref="SortFields"/>, made once rather than per message.</summary>
    private static readonly List<string>[] NamesFor = Enumerable.Range(0, 256).Select(f => FieldNames((SortFields)f)).ToArray();

    /// <summary>The header fields that give <paramref name="fields"/> (all of them among <see cref="CachedHeaderFields.Names"/>).</summary>
    private static List<string> FieldNames(SortFields fields)
    {
        var names = new List<string>(4);
        if ((fields & SortFields.Date) != 0)
        {
            names.Add("Date");
        }

        if ((fields & SortFields.Subject) != 0)
        {
            names.Add("Subject");
        }

        if ((fields & (SortFields.From | SortFields.DisplayFrom)) != 0)
        {
            names.Add("From");
        }

        if ((fields & (SortFields.To | SortFields.DisplayTo)) != 0)
        {
            names.Add("To");
        }

        if ((fields & SortFields.Cc) != 0)
        {
            names.Add("Cc");
        }

        if ((fields & SortFields.Links) != 0)
        {
            names.AddRange(["Message-ID", "References", "In-Reply-To"]);
        }

        return names;
    }

    /// <summary>RFC 5256: the addr-mailbox (local part) of the first address; empty when there is none.</summary>
    private static string FirstMailbox(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var addresses = AddressParser.Parse(value);
        return addresses.Count > 0 && addresses[0].Mailbox is { } mailbox ? RawText.ToText(mailbox) : "";
    }

    /// <summary>
    /// RFC 5957: the display name of the first address, RFC 2047 words decoded; without one, the
    /// address itself (mailbox@host).
    /// </summary>
    private static string DisplayName(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var addresses = AddressParser.Parse(value);
        if (addresses.Count == 0)
        {
            return "";
        }

        var first = addresses[0];
        if (first.Name is { Length: > 0 } name)
        {
            return Rfc2047Decoder.Decode(name);
        }

        if (first.Mailbox is null)
        {
            return "";
        }

        return first.Host is null or Address.MissingDomain
            ? RawText.ToText(first.Mailbox)
            : RawText.ToText(first.Mailbox) + "@" + RawText.ToText(first.Host);
    }
}
