using System.Collections.Frozen;
using Imap4d.Mime;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Commands;

/// <summary>
/// The header fields mail clients fetch for message lists and search most, kept per message in
/// the FETCH cache (<see cref="FetchCacheItem.HeaderFields"/>): one byte (1 when a header fetch
/// ends with an empty line, see <see cref="HasBlankLine"/>), then every field of the message
/// whose name is in <see cref="Names"/>, exactly as stored and in order. A BODY[HEADER.FIELDS]
/// fetch of these names, or a SEARCH key on one of them, is then answered without opening the
/// message: filtering these fields gives what filtering the whole header gives.
/// </summary>
internal static class CachedHeaderFields
{
    /// <summary>What Thunderbird, Apple Mail, Evolution, K-9 and Roundcube ask for in message lists, and the SEARCH address keys.</summary>
    public static readonly FrozenSet<string> Names = new[]
    {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To",
        "Sender", "Content-Type", "MIME-Version", "Priority", "X-Priority", "Importance", "Newsgroups",
        "List-Id", "List-Post", "X-Mailer", "User-Agent", "Delivered-To", "Return-Path",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when every one of <paramref name="names"/> is kept.</summary>
    public static bool Covers(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            if (!Names.Contains(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 3501 §6.4.5: a header fetch ends with the empty line "except in the case of a message
    /// which has no body and no blank line" — <paramref name="header"/> as read (through the
    /// empty line when there is one) out of a message of <paramref name="size"/> bytes.
    /// </summary>
    public static bool HasBlankLine(ReadOnlySpan<byte> header, long size)
    {
        if (header.Length < size)
        {
            return true;
        }

        var h = header;
        if (h.Length == 0 || h[^1] != '\n')
        {
            return false;
        }

        h = h[..^1];
        if (h.Length > 0 && h[^1] == '\r')
        {
            h = h[..^1];
        }

        return h.Length == 0 || h[^1] == '\n';
    }

    /// <summary>Caches the fields of a header just read (unless cached, or the header was cut short).</summary>
    public static void Remember(FetchCache? cache, MessageInfo message, HeaderBlock header, bool blankLine)
    {
        if (cache is null || header.Truncated || cache.Contains(message, FetchCacheItem.HeaderFields))
        {
            return;
        }

        using var bytes = new MemoryStream();
        bytes.WriteByte(blankLine ? (byte)1 : (byte)0);
        foreach (var field in header.Fields)
        {
            if (field.HasColon && Names.Contains(field.Name))
            {
                bytes.Write(field.Raw);
            }
        }

        cache.Put(message, FetchCacheItem.HeaderFields, bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
    }

    /// <summary>The cached fields of a message; false when they are not cached.</summary>
    public static bool TryGet(FetchCache? cache, MessageInfo message, out HeaderBlock fields, out bool blankLine)
    {
        fields = HeaderBlock.Empty;
        blankLine = false;
        if (cache is null || !cache.TryGet(message, FetchCacheItem.HeaderFields, out byte[] bytes) || bytes.Length == 0)
        {
            return false;
        }

        blankLine = bytes[0] == 1;
        fields = HeaderParser.Parse(bytes.AsSpan(1));
        return true;
    }
}
