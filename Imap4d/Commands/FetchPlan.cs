using Imap4d.Mime;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Commands;

/// <summary>The parsed data items of one FETCH, run for each message.</summary>
internal sealed class FetchPlan
{
    private readonly List<FetchItem> _items;

    private FetchPlan(List<FetchItem> items)
    {
        _items = items;
    }

    /// <summary>True when an item marks the message \Seen (BODY[...] without PEEK, RFC822, RFC822.TEXT).</summary>
    public bool SetsSeen => _items.Any(i => i.SetsSeen);

    /// <summary>True when MODSEQ is asked for (a CONDSTORE-enabling FETCH, RFC 7162 §3.1).</summary>
    public bool HasModSeq => _items.Any(i => i.Kind == FetchItemKind.ModSeq);

    /// <summary>CHANGEDSINCE implies MODSEQ (RFC 7162 §3.1.4.1).</summary>
    public void AddModSeq()
    {
        if (!HasModSeq)
        {
            _items.Add(new FetchItem(FetchItemKind.ModSeq, "MODSEQ"));
        }
    }

    public static FetchPlan Parse(ArgReader args, bool byUid)
    {
        var items = new List<FetchItem>();
        if (args.TryList(out var list))
        {
            while (!list.AtEnd)
            {
                items.AddRange(FetchItem.Parse(list.ExpectAtom("fetch item"), allowMacro: false));
                if (items[^1].Kind == FetchItemKind.Preview && list.TryList(out var modifiers))
                {
                    FetchItem.ReadPreviewModifiers(modifiers);
                }
            }

            if (items.Count == 0)
            {
                throw new ImapSyntaxException("Empty fetch item list");
            }
        }
        else
        {
            items.AddRange(FetchItem.Parse(args.ExpectAtom("fetch item"), allowMacro: true));
        }

        if (byUid && !items.Any(i => i.Kind == FetchItemKind.Uid))
        {
            items.Insert(0, new FetchItem(FetchItemKind.Uid, "UID"));
        }

        return new FetchPlan(items);
    }

    /// <summary>
    /// Writes "* n FETCH (...)" for one message. Everything the items need from storage is
    /// gathered first, so the line is written whole or not at all: false (and nothing written)
    /// when the message's data is gone because another session expunged it meanwhile.
    /// </summary>
    public bool TryWrite(ResponseWriter writer, SelectedMailbox selected, int sequence, MessageInfo info)
    {
        bool flagsChanged = false;
        if (SetsSeen && !selected.ReadOnly && !info.Flags.Has(MessageFlags.Seen))
        {
            var changed = selected.Mailbox.Store([info.Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            if (changed.Count > 0)
            {
                info = changed[0];
                flagsChanged = true;
            }
        }

        var values = new FetchValue[_items.Count];
        try
        {
            MessageContent? content = null;
            for (int i = 0; i < _items.Count; i++)
            {
                values[i] = _items[i].Prepare(selected, info, ref content);
            }
        }
        catch (StorageException e) when (e.Error == StorageError.NotFound)
        {
            DisposeAll(values);
            return false;
        }
        catch
        {
            DisposeAll(values);
            throw;
        }

        try
        {
            if (flagsChanged || _items.Any(i => i.Kind == FetchItemKind.Flags))
            {
                selected.AnnounceKeywordsOf(writer, info);
            }

            // The \Seen a body item just set is reported as FLAGS right before that item, where GNU
            // imap4d puts it (RFC 3501 leaves the place free; scripts written against GNU expect it there).
            bool implicitFlags = flagsChanged && !_items.Any(i => i.Kind == FetchItemKind.Flags);
            writer.Untagged().Number(sequence).Atom("FETCH").BeginList();
            for (int i = 0; i < _items.Count; i++)
            {
                if (implicitFlags && _items[i].SetsSeen)
                {
                    writer.Atom("FLAGS");
                    selected.WriteFlagList(writer, info);
                    implicitFlags = false;
                }

                _items[i].Write(writer, selected, info, values[i]);
            }

            if (flagsChanged && selected.ReportModSeq && !HasModSeq)
            {
                // The \Seen just set changed the MODSEQ: a CONDSTORE client is told (RFC 7162 §3.1.4.2).
                SelectedMailbox.WriteModSeq(writer, info);
            }

            writer.EndList().EndLine();
            return true;
        }
        finally
        {
            DisposeAll(values);
        }
    }

    private static void DisposeAll(FetchValue[] values)
    {
        foreach (var value in values)
        {
            value.Section?.Dispose();
        }
    }
}

/// <summary>What one item sends for one message, gathered before the line starts (null parts: from the message info).</summary>
internal readonly record struct FetchValue(byte[]? Wire, SectionData? Section);

internal enum FetchItemKind
{
    Uid,
    Flags,
    InternalDate,
    Size,
    Envelope,
    Body,
    BodyStructure,
    Section,
    ModSeq,
    Binary,
    BinarySize,
    Preview,
    EmailId,
    ThreadId,
    SaveDate,
}

/// <summary>One FETCH data item: its kind, the name echoed in the response, and for sections the part to send.</summary>
internal sealed record FetchItem(FetchItemKind Kind, string ResponseName, FetchSection? Section = null, bool SetsSeen = false)
{
    /// <summary>For BINARY and BINARY.SIZE (RFC 3516): the part.</summary>
    public FetchBinary? Binary { get; init; }

    private static readonly FetchItem[] Fast =
        [new(FetchItemKind.Flags, "FLAGS"), new(FetchItemKind.InternalDate, "INTERNALDATE"), new(FetchItemKind.Size, "RFC822.SIZE")];

    public static IEnumerable<FetchItem> Parse(string atom, bool allowMacro)
    {
        string upper = atom.ToUpperInvariant();
        switch (upper)
        {
            case "FAST" when allowMacro:
                return Fast;
            case "ALL" when allowMacro:
                return [.. Fast, new(FetchItemKind.Envelope, "ENVELOPE")];
            case "FULL" when allowMacro:
                return [.. Fast, new(FetchItemKind.Envelope, "ENVELOPE"), new(FetchItemKind.Body, "BODY")];
            case "ENVELOPE":
                return [new(FetchItemKind.Envelope, "ENVELOPE")];
            case "BODY":
                return [new(FetchItemKind.Body, "BODY")];
            case "BODYSTRUCTURE":
                return [new(FetchItemKind.BodyStructure, "BODYSTRUCTURE")];
            case "UID":
                return [new(FetchItemKind.Uid, "UID")];
            case "FLAGS":
                return [new(FetchItemKind.Flags, "FLAGS")];
            case "INTERNALDATE":
                return [new(FetchItemKind.InternalDate, "INTERNALDATE")];
            case "SAVEDATE":
                return [new(FetchItemKind.SaveDate, "SAVEDATE")];
            case "RFC822.SIZE":
                return [new(FetchItemKind.Size, "RFC822.SIZE")];
            case "MODSEQ":
                return [new(FetchItemKind.ModSeq, "MODSEQ")];

            case "PREVIEW":
                return [new(FetchItemKind.Preview, "PREVIEW")];

            case "EMAILID":
                return [new(FetchItemKind.EmailId, "EMAILID")];
            case "THREADID":
                return [new(FetchItemKind.ThreadId, "THREADID")];
            case "RFC822":
                return [new(FetchItemKind.Section, "RFC822", FetchSection.Parse("]"), SetsSeen: true)];
            case "RFC822.HEADER":
                return [new(FetchItemKind.Section, "RFC822.HEADER", FetchSection.Parse("HEADER]"))];
            case "RFC822.TEXT":
                return [new(FetchItemKind.Section, "RFC822.TEXT", FetchSection.Parse("TEXT]"), SetsSeen: true)];
        }

        if (upper.StartsWith("BODY[", StringComparison.Ordinal) || upper.StartsWith("BODY.PEEK[", StringComparison.Ordinal))
        {
            bool peek = upper.StartsWith("BODY.PEEK[", StringComparison.Ordinal);
            var section = FetchSection.Parse(atom[(atom.IndexOf('[') + 1)..]);
            return [new(FetchItemKind.Section, section.ResponseName, section, SetsSeen: !peek)];
        }

        foreach (string prefix in (string[])["BINARY[", "BINARY.PEEK[", "BINARY.SIZE["])
        {
            if (upper.StartsWith(prefix, StringComparison.Ordinal))
            {
                bool size = prefix == "BINARY.SIZE[";
                var binary = FetchBinary.Parse(atom[prefix.Length..], size);
                return size
                    ? [new(FetchItemKind.BinarySize, binary.SizeResponseName) { Binary = binary }]
                    : [new(FetchItemKind.Binary, binary.ResponseName, SetsSeen: prefix == "BINARY[") { Binary = binary }];
            }
        }

        throw new ImapSyntaxException("Unknown fetch item " + atom);
    }

    /// <summary>RFC 8970 §3: PREVIEW's modifiers; LAZY is honoured trivially (the preview is always computed).</summary>
    public static void ReadPreviewModifiers(ArgReader modifiers)
    {
        while (!modifiers.AtEnd)
        {
            if (!modifiers.ExpectAtom("preview modifier").Equals("LAZY", StringComparison.OrdinalIgnoreCase))
            {
                throw new ImapSyntaxException("Unknown preview modifier");
            }
        }
    }

    /// <summary>PREVIEW's string in wire form: from the FETCH cache, or computed from the first text part and cached.</summary>
    private static byte[] CachedOrComputedPreview(SelectedMailbox selected, MessageInfo info, ref MessageContent? content)
    {
        var cache = selected.Cache;
        if (cache is not null && cache.TryGet(info, FetchCacheItem.Preview, out byte[] cached))
        {
            return cached;
        }

        var message = content ??= new MessageContent(selected.Mailbox, info, cache);
        string text;
        using (var stream = message.Open())
        {
            text = PreviewText.Extract(message.Structure, stream);
        }

        byte[] wire = ResponseWriter.Capture(w => w.String(text));
        cache?.Put(info, FetchCacheItem.Preview, wire);
        return wire;
    }

    /// <summary>ENVELOPE, BODY or BODYSTRUCTURE in wire form: from the mailbox's FETCH cache, or computed and cached.</summary>
    private byte[] CachedOrComputed(SelectedMailbox selected, MessageInfo info, ref MessageContent? content)
    {
        var item = Kind switch
        {
            FetchItemKind.Envelope => FetchCacheItem.Envelope,
            FetchItemKind.Body => FetchCacheItem.Body,
            _ => FetchCacheItem.BodyStructure,
        };
        var cache = selected.Cache;
        if (cache is not null && cache.TryGet(info, item, out byte[] cached))
        {
            return cached;
        }

        var message = content ??= new MessageContent(selected.Mailbox, info, cache);
        byte[] wire = ResponseWriter.Capture(w =>
        {
            if (item == FetchCacheItem.Envelope)
            {
                EnvelopeWriter.Write(w, EnvelopeBuilder.Build(HeaderParser.Parse(message.Header)));
            }
            else
            {
                BodyStructureWriter.Write(w, BodyStructureBuilder.Build(message.Structure), item == FetchCacheItem.BodyStructure);
            }
        });
        cache?.Put(info, item, wire);
        return wire;
    }

    /// <summary>Reads what this item needs from storage (nothing for the items the message info answers).</summary>
    public FetchValue Prepare(SelectedMailbox selected, MessageInfo info, ref MessageContent? content)
    {
        switch (Kind)
        {
            case FetchItemKind.Envelope:
            case FetchItemKind.Body:
            case FetchItemKind.BodyStructure:
                return new FetchValue(CachedOrComputed(selected, info, ref content), null);
            case FetchItemKind.Section:
                content ??= new MessageContent(selected.Mailbox, info, selected.Cache);
                return new FetchValue(null, Section!.Prepare(content));
            case FetchItemKind.Binary:
                content ??= new MessageContent(selected.Mailbox, info, selected.Cache);
                return new FetchValue(null, Binary!.Prepare(content));
            case FetchItemKind.Preview:
                return new FetchValue(CachedOrComputedPreview(selected, info, ref content), null);
            case FetchItemKind.BinarySize:
                content ??= new MessageContent(selected.Mailbox, info, selected.Cache);
                return new FetchValue(System.Text.Encoding.ASCII.GetBytes(Binary!.Size(content).ToString(System.Globalization.CultureInfo.InvariantCulture)), null);

            case FetchItemKind.InternalDate:
            case FetchItemKind.Size:
                // Looked up now (a maildir file's date and size are read when first asked for):
                // a message gone meanwhile is left out here, never cut short while written.
                _ = Kind == FetchItemKind.InternalDate ? info.InternalDate.Ticks : info.Size;
                return default;

            case FetchItemKind.EmailId:
                content ??= new MessageContent(selected.Mailbox, info, selected.Cache);
                return new FetchValue(System.Text.Encoding.ASCII.GetBytes("(" + ObjectIds.EmailId(content.Header, info) + ")"), null);
            default:
                return default;
        }
    }

    public void Write(ResponseWriter writer, SelectedMailbox selected, MessageInfo info, FetchValue value)
    {
        if (Kind == FetchItemKind.ModSeq)
        {
            SelectedMailbox.WriteModSeq(writer, info);
            return;
        }

        writer.Atom(ResponseName);
        switch (Kind)
        {
            case FetchItemKind.Uid:
                writer.Number(info.Uid);
                break;
            case FetchItemKind.Flags:
                selected.WriteFlagList(writer, info);
                break;
            case FetchItemKind.InternalDate:
                writer.String(ImapDate.FormatDateTime(info.InternalDate));
                break;
            case FetchItemKind.SaveDate:
                // RFC 8514 §4.1: NIL where the mailbox does not know.
                if (selected.Mailbox.SaveDate(info.Uid) is { } saved)
                {
                    writer.String(ImapDate.FormatDateTime(saved));
                }
                else
                {
                    writer.Nil();
                }

                break;
            case FetchItemKind.Size:
                writer.Number(info.Size);
                break;
            case FetchItemKind.Envelope:
            case FetchItemKind.Body:
            case FetchItemKind.BodyStructure:
            case FetchItemKind.EmailId:
                writer.WireBytes(value.Wire);
                break;
            case FetchItemKind.ThreadId:
                writer.Nil();
                break;
            case FetchItemKind.Section:
            case FetchItemKind.Binary:
                value.Section!.Write(writer);
                break;
            case FetchItemKind.BinarySize:
            case FetchItemKind.Preview:
                writer.WireBytes(value.Wire);
                break;
        }
    }
}

/// <summary>Lazy access to one message's bytes during a FETCH.</summary>
internal sealed class MessageContent(IMailbox mailbox, MessageInfo info, FetchCache? cache = null)
{
    private byte[]? _header;
    private MimePart? _structure;

    public MessageInfo Info => info;

    /// <summary>The mailbox's FETCH cache, if any.</summary>
    public FetchCache? Cache => cache;

    public Stream Open() => mailbox.OpenContent(info.Uid);

    /// <summary>The scanned MIME structure (read once per message and FETCH).</summary>
    public MimePart Structure
    {
        get
        {
            if (_structure is null)
            {
                using var stream = Open();
                _structure = MimeScanner.Scan(stream);
            }

            return _structure;
        }
    }

    /// <summary>The header block including the blank line that ends it.</summary>
    public byte[] Header
    {
        get
        {
            if (_header is null)
            {
                using var stream = mailbox.OpenHeader(info.Uid);
                var read = Search.MessageHeaderReader.Read(stream);
                _header = read.Header.ToArray();
                if (cache is not null && !read.Truncated && !cache.Contains(info, FetchCacheItem.HeaderFields))
                {
                    CachedHeaderFields.Remember(cache, info, HeaderParser.Parse(_header),
                        CachedHeaderFields.HasBlankLine(_header, info.Size));
                }
            }

            return _header;
        }
    }
}

/// <summary>
/// Reads the header of a message up to and including the empty line (bounded), with the
/// same reader SEARCH uses.
/// </summary>
internal static class HeaderReader
{
    public static byte[] ReadHeader(Stream stream) => Search.MessageHeaderReader.Read(stream).Header.ToArray();
}
