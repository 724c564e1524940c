using System.Globalization;
using Imap4d.Commands.UrlAuth;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// RFC 4469 CATENATE: an APPEND message put together from literal text and IMAP URLs (RFC 5092)
/// naming messages or parts on this server, as the user may read them:
/// <c>[imap://host]/mailbox[;UIDVALIDITY=v]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]</c>, with or
/// without URLAUTH (RFC 4467; then verified as URLFETCH does). A URL that
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

    /// <summary>
    /// Copies what <paramref name="url"/> names. A URL with URLAUTH must be one the session may
    /// fetch (RFC 4469 §3, as URLFETCH); one without names a mailbox of the session's own user.
    /// </summary>
    private static void CopyUrl(string url, CommandContext context, Stream output)
    {
        if (!ImapUrl.TryParse(url, out var target)
            || (target.HasUrlAuth ? !UrlAuthorization.Allows(context, target, DateTimeOffset.UtcNow)
                : target.User is { } user && user != context.Session.User?.Name)
            || UrlMessage.Open(context, target)?.Section(target.Section) is not { } bytes)
        {
            throw new CatenateException("Bad URL", ImapUrl.BadUrlCode(url));
        }

        output.Write(UrlMessage.Window(bytes, target).Span);
    }
}

/// <summary>A URL part of CATENATE failed: answered NO with its response code (BADURL, TOOBIG).</summary>
public sealed class CatenateException(string message, string code) : Exception(message)
{
    public string Code { get; } = code;
}
