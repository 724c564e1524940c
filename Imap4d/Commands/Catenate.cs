using System.Globalization;
using Imap4d.Mime;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// RFC 4469 CATENATE: an APPEND message put together from literal text and IMAP URLs (RFC 5092)
/// naming messages or parts on this server, as the user may read them:
/// <c>[imap://host]/mailbox[;UIDVALIDITY=v]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]</c>. A URL that
/// names nothing gets NO [BADURL url]; the whole message is bounded by max-append-size ([TOOBIG]).
/// </summary>
public static class Catenate
{
    /// <summary>Reads the parts list after "CATENATE" and builds the message (owned by the caller).</summary>
    public static LiteralContent Build(ArgReader parts, CommandContext context)
    {
        long limit = context.Settings.Limits.MaxAppendSize;
        var output = FileLiteral.CreateSpool(Path.GetTempPath());
        try
        {
            bool any = false;
            while (!parts.AtEnd)
            {
                any = true;
                if (parts.TryAtom("TEXT"))
                {
                    if (parts.ExpectAny("text literal") is not StringArg { IsLiteral: true } text)
                    {
                        throw new ImapSyntaxException("CATENATE TEXT needs a literal");
                    }

                    using var stream = text.Content.OpenRead();
                    stream.CopyTo(output);
                }
                else if (parts.TryAtom("URL"))
                {
                    string url = parts.ExpectAString("URL");
                    CopyUrl(url, context, output);
                }
                else
                {
                    throw new ImapSyntaxException("Invalid CATENATE part");
                }

                if (output.Length > limit)
                {
                    throw new CatenateException("Message too large", "TOOBIG");
                }
            }

            if (!any)
            {
                throw new ImapSyntaxException("Empty CATENATE list");
            }

            output.Flush();
            return new FileLiteral(output);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static void CopyUrl(string url, CommandContext context, Stream output)
    {
        if (!ImapUrl.TryParse(url, out var target))
        {
            throw new CatenateException("Bad URL", "BADURL " + url);
        }

        var store = context.Session.RequireStore();
        var selected = context.Session.Selected;
        string name = target.Mailbox.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : target.Mailbox;
        bool isSelected = selected is not null && store.Resolve(name) == store.Resolve(selected.Mailbox.Name);
        IMailbox mailbox;
        try
        {
            mailbox = isSelected ? selected!.Mailbox : store.Open(name, readOnly: true);
        }
        catch (StorageException)
        {
            throw new CatenateException("Bad URL", "BADURL " + url);
        }

        try
        {
            if ((target.UidValidity is uint validity && validity != mailbox.UidValidity)
                || !mailbox.Messages.Any(m => m.Uid == target.Uid))
            {
                throw new CatenateException("Bad URL", "BADURL " + url);
            }

            using var content = mailbox.OpenContent(target.Uid);
            using var copy = new MemoryStream();
            byte[] bytes;
            if (target.Section is null)
            {
                content.CopyTo(copy);
                bytes = copy.ToArray();
            }
            else
            {
                content.CopyTo(copy);
                byte[] message = copy.ToArray();
                var located = SectionLocator.Locate(MimeScanner.Scan(message), target.Section)
                    ?? throw new CatenateException("Bad URL", "BADURL " + url);
                bytes = located.IsComputed ? located.Content! : message.AsSpan((int)located.Offset, (int)located.Length).ToArray();
            }

            long start = Math.Min(target.PartialOffset, bytes.Length);
            long length = Math.Min(target.PartialLength ?? long.MaxValue, bytes.Length - start);
            output.Write(bytes, (int)start, (int)length);
        }
        finally
        {
            if (!isSelected)
            {
                mailbox.Dispose();
            }
        }
    }
}

/// <summary>A URL part of CATENATE failed: answered NO with its response code (BADURL, TOOBIG).</summary>
public sealed class CatenateException(string message, string code) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The parts of an IMAP URL (RFC 5092) that name a message or a part of one on this server.</summary>
public sealed record ImapUrl(string Mailbox, uint? UidValidity, uint Uid, SectionSpec? Section, long PartialOffset, long? PartialLength)
{
    public static bool TryParse(string url, out ImapUrl result)
    {
        result = null!;
        string path = url;
        if (path.StartsWith("imap://", StringComparison.OrdinalIgnoreCase))
        {
            int slash = path.IndexOf('/', 7);
            if (slash < 0)
            {
                return false;
            }

            path = path[slash..];
        }

        if (!path.StartsWith('/'))
        {
            return false;
        }

        string[] pieces = path[1..].Split("/;", StringSplitOptions.None);
        if (pieces.Length < 2)
        {
            return false;
        }

        string mailbox = pieces[0];
        uint? validity = null;
        int semicolon = mailbox.IndexOf(";UIDVALIDITY=", StringComparison.OrdinalIgnoreCase);
        if (semicolon >= 0)
        {
            if (!uint.TryParse(mailbox[(semicolon + 13)..], NumberStyles.None, CultureInfo.InvariantCulture, out uint v))
            {
                return false;
            }

            validity = v;
            mailbox = mailbox[..semicolon];
        }

        mailbox = Uri.UnescapeDataString(mailbox);
        uint? uid = null;
        SectionSpec? section = null;
        long offset = 0;
        long? length = null;
        foreach (string piece in pieces.Skip(1))
        {
            int eq = piece.IndexOf('=');
            if (eq < 0)
            {
                return false;
            }

            string key = piece[..eq].ToUpperInvariant();
            string value = Uri.UnescapeDataString(piece[(eq + 1)..]);
            switch (key)
            {
                case "UID" when uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint u) && u > 0:
                    uid = u;
                    break;
                case "SECTION" when SectionSpec.TryParse(value, out var spec):
                    section = spec;
                    break;
                case "PARTIAL":
                    string[] range = value.Split('.');
                    if (range.Length > 2 || !long.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                    {
                        return false;
                    }

                    if (range.Length == 2)
                    {
                        if (!long.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out long l) || l == 0)
                        {
                            return false;
                        }

                        length = l;
                    }

                    break;
                default:
                    return false;
            }
        }

        if (uid is not uint found || mailbox.Length == 0)
        {
            return false;
        }

        result = new ImapUrl(mailbox, validity, found, section, offset, length);
        return true;
    }
}
