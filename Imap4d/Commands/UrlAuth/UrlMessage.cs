using Imap4d.Mime;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.UrlAuth;

/// <summary>
/// The message an IMAP URL names (RFC 5092), read whole for CATENATE and URLFETCH from the
/// session user's store: the selected mailbox when the URL names it, else opened read-only.
/// Messages are bounded by the append limit, so holding one in memory is bounded too.
/// </summary>
public sealed class UrlMessage
{
    private MimePart? _root;

    private UrlMessage(byte[] message)
    {
        Message = message;
    }

    public byte[] Message { get; }

    public MimePart Root => _root ??= MimeScanner.Scan(Message);

    /// <summary>The message of <paramref name="url"/>; null when its mailbox, UIDVALIDITY or UID names nothing.</summary>
    public static UrlMessage? Open(CommandContext context, ImapUrl url) =>
        Open(context.Session.RequireStore(), context.Session.Selected?.Mailbox, url, long.MaxValue);

    /// <summary>A message another process read (the URL owner's, see <see cref="UrlAuthorization.Verify"/>).</summary>
    public static UrlMessage FromBytes(byte[] message) => new(message);

    /// <summary>
    /// The message of <paramref name="url"/> in <paramref name="store"/> (<paramref name="selected"/>
    /// when the URL names that mailbox); null when its mailbox, UIDVALIDITY or UID names nothing, or
    /// when the message is larger than <paramref name="maxSize"/>.
    /// </summary>
    public static UrlMessage? Open(IMailStore store, IMailbox? selected, ImapUrl url, long maxSize)
    {
        string name = url.Mailbox.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : url.Mailbox;
        IMailbox? mailbox = null;
        bool isSelected = false;
        try
        {
            isSelected = selected is not null && store.Resolve(name) == store.Resolve(selected.Name);
            mailbox = isSelected ? selected! : store.Open(name, readOnly: true);
            if ((url.UidValidity is uint validity && validity != mailbox.UidValidity)
                || !mailbox.Messages.Any(m => m.Uid == url.Uid))
            {
                return null;
            }

            using var content = mailbox.OpenContent(url.Uid);
            if (content.CanSeek && content.Length > maxSize)
            {
                return null;
            }

            using var copy = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = content.Read(buffer)) > 0)
            {
                if (copy.Length + n > maxSize)
                {
                    return null;
                }

                copy.Write(buffer, 0, n);
            }

            return new UrlMessage(copy.ToArray());
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            if (!isSelected)
            {
                mailbox?.Dispose();
            }
        }
    }

    /// <summary>What BODY[section] would give (the whole message without a section); null when the section does not exist.</summary>
    public byte[]? Section(SectionSpec? section)
    {
        if (section is null)
        {
            return Message;
        }

        if (SectionLocator.Locate(Root, section) is not { } located)
        {
            return null;
        }

        return located.IsComputed ? located.Content! : Message.AsSpan((int)located.Offset, (int)located.Length).ToArray();
    }

    /// <summary>The MIME part a section of part numbers only names (the message itself without one); null for any other section.</summary>
    public MimePart? Part(SectionSpec? section)
    {
        if (section is null || section.Part.Count == 0)
        {
            return section is null || section.Kind == SectionKind.Full ? Root : null;
        }

        return section.Kind == SectionKind.Full ? SectionLocator.FindPart(Root, section.Part) : null;
    }

    /// <summary>
    /// RFC 3516 BINARY data of a part: its body with the Content-Transfer-Encoding undone (the
    /// whole message, a multipart or a message/rfc822 part as stored); null when the encoding is
    /// one we cannot decode.
    /// </summary>
    public byte[]? Decoded(SectionSpec? section, MimePart part)
    {
        if (section is null || section.Part.Count == 0)
        {
            return Message;
        }

        var body = Message.AsSpan((int)part.BodyOffset, (int)part.BodySize);
        if (part.IsMultipart || part.IsMessage)
        {
            return body.ToArray();
        }

        return TransferDecoder.CanDecode(part.ContentTransferEncoding)
            ? TransferDecoder.DecodeBytes(body, part.ContentTransferEncoding)
            : null;
    }

    /// <summary>The ;PARTIAL=offset.length window of <paramref name="data"/> (RFC 5550), clipped to it.</summary>
    public static ReadOnlyMemory<byte> Window(byte[] data, ImapUrl url)
    {
        long start = Math.Min(url.PartialOffset, data.Length);
        long length = Math.Min(url.PartialLength ?? long.MaxValue, data.Length - start);
        return data.AsMemory((int)start, (int)length);
    }
}
