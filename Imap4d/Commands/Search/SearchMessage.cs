using Imap4d.Mime;
using Imap4d.Storage;

namespace Imap4d.Commands.Search;

/// <summary>
/// One message while a search program runs on it. The header is read only when a key asks for
/// it, the body only when a BODY or TEXT key does, and then once for all of them.
/// </summary>
public sealed class SearchMessage : IDisposable
{
    private readonly IMailbox _mailbox;
    private Stream? _stream;
    private MessageHeaderReader? _headerRead;
    private HeaderBlock? _header;
    private byte[]? _cachedFields;
    private bool _cacheChecked;
    private bool _sentDateRead;
    private DateOnly? _sentDate;
    private bool[]? _bodyHits;

    /// <summary>The mailbox the message is in (for what it keeps apart from the message info, such as save dates).</summary>
    public IMailbox Mailbox => _mailbox;

    public SearchMessage(IMailbox mailbox, MessageInfo info, int sequence, SearchScope scope)
    {
        _mailbox = mailbox;
        Info = info;
        Sequence = sequence;
        Scope = scope;
    }

    public MessageInfo Info { get; }

    /// <summary>The message sequence number the client knows.</summary>
    public int Sequence { get; }

    public SearchScope Scope { get; }

    public bool IsRecent => Scope.RecentUids.Contains(Info.Uid);

    /// <summary>The parsed message header (read from storage on first use).</summary>
    public HeaderBlock Header
    {
        get
        {
            if (_header is null)
            {
                // Without body keys the body is never read: a driver may then stop at the header.
                _stream = Scope.BodyNeedles.Count == 0 ? _mailbox.OpenHeader(Info.Uid) : _mailbox.OpenContent(Info.Uid);
                _headerRead = MessageHeaderReader.Read(_stream);
                _header = HeaderParser.Parse(_headerRead.Header.Span, _headerRead.Truncated);
                if (_cachedFields is null)
                {
                    CachedHeaderFields.Remember(Scope.Cache, Info, _header,
                        CachedHeaderFields.HasBlankLine(_headerRead.Header.Span, Info.Size));
                }
            }

            return _header;
        }
    }

    /// <summary>
    /// A header that holds every field named <paramref name="fieldName"/>: the cached fields
    /// (<see cref="CachedHeaderFields"/>) when the name is among them and they are cached, so
    /// the message need not be opened; else <see cref="Header"/>.
    /// </summary>
    public HeaderBlock HeaderWith(string fieldName)
    {
        if (_header is null && CachedHeaderFields.Names.Contains(fieldName))
        {
            if (!_cacheChecked)
            {
                _cacheChecked = true;
                _cachedFields = CachedHeaderFields.TryGetRaw(Scope.Cache, Info, out byte[] fields) ? fields : null;
            }

            if (_cachedFields is not null)
            {
                return CachedHeaderFields.FieldsNamed(_cachedFields, fieldName);
            }
        }

        return Header;
    }

    /// <summary>The date part of the Date: header, or null when it is missing or unreadable.</summary>
    public DateOnly? SentDate
    {
        get
        {
            if (!_sentDateRead)
            {
                _sentDateRead = true;
                _sentDate = DateHeader.TryParse(HeaderWith("Date").GetValue("Date"), out var date) ? date.Date : null;
            }

            return _sentDate;
        }
    }

    /// <summary>True when body needle number <paramref name="needleIndex"/> of the scope occurs in the body text.</summary>
    public bool BodyContains(int needleIndex)
    {
        if (_bodyHits is null)
        {
            _ = Header;
            var scanner = new BodyScanner(Scope.BodyNeedles);
            _bodyHits = scanner.Scan(_header!, _headerRead!, _stream!, () => _mailbox.OpenContent(Info.Uid));
        }

        return _bodyHits[needleIndex];
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
