using Imap4d.Mime;

namespace Imap4d.Protocol;

/// <summary>Writes an <see cref="Envelope"/> in RFC 3501 §9 "envelope" syntax.</summary>
public static class EnvelopeWriter
{
    public static void Write(ResponseWriter w, Envelope e)
    {
        w.BeginList();
        RawNString(w, e.Date);
        RawNString(w, e.Subject);
        Addresses(w, e.From);
        Addresses(w, e.Sender);
        Addresses(w, e.ReplyTo);
        Addresses(w, e.To);
        Addresses(w, e.Cc);
        Addresses(w, e.Bcc);
        RawNString(w, e.InReplyTo);
        RawNString(w, e.MessageId);
        w.EndList();
    }

    private static void Addresses(ResponseWriter w, IReadOnlyList<Address>? list)
    {
        if (list is null || list.Count == 0)
        {
            w.Nil();
            return;
        }

        w.BeginList();
        bool first = true;
        foreach (var a in list)
        {
            if (!first)
            {
                w.Adjacent();
            }

            first = false;
            w.BeginList();
            RawNString(w, a.Name);
            RawNString(w, a.Route);
            RawNString(w, a.Mailbox);
            RawNString(w, a.Host);
            w.EndList();
        }

        w.EndList();
    }

    /// <summary>
    /// NIL or a string from a raw (one char per byte) value. NUL cannot be sent in an IMAP
    /// string, so it becomes U+FFFD in UTF-8 (as Dovecot does); CR and LF are dropped.
    /// </summary>
    internal static void RawNString(ResponseWriter w, string? raw)
    {
        if (raw is null)
        {
            w.Nil();
            return;
        }

        RawString(w, raw);
    }

    internal static void RawString(ResponseWriter w, string raw)
    {
        var bytes = new byte[raw.Length * 3];
        int n = 0;
        foreach (char c in raw)
        {
            if (c is '\r' or '\n')
            {
                continue;
            }

            if (c == '\0')
            {
                bytes[n++] = 0xEF;
                bytes[n++] = 0xBF;
                bytes[n++] = 0xBD;
                continue;
            }

            bytes[n++] = (byte)c;
        }

        w.String(bytes.AsSpan(0, n));
    }
}
