using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Mime;

namespace Imap4d.Commands;

/// <summary>
/// An IMAP URL (RFC 5092) that names a message or a part of one, as CATENATE (RFC 4469),
/// GENURLAUTH and URLFETCH (RFC 4467) take them:
/// <c>[imap://user@host]/mailbox[;UIDVALIDITY=v]/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]][;EXPIRE=t][;URLAUTH=access[:mech:token]]</c>.
/// Keywords are case-insensitive; the mailbox, user and section are percent-decoded.
/// <see cref="Rump"/> is the text the URLAUTH token is computed over (RFC 4467 §3): the URL up
/// to and including the access identifier.
/// </summary>
public sealed partial record ImapUrl(string Mailbox, uint? UidValidity, uint Uid, SectionSpec? Section, long PartialOffset, long? PartialLength)
{
    /// <summary>The user of "imap://user@host/..."; null in a relative URL.</summary>
    public string? User { get; init; }

    /// <summary>True for "imap://..." (a server part); false for "/mailbox/;UID=n".</summary>
    public bool IsAbsolute { get; init; }

    /// <summary>The section as written (still percent-encoded), null when there is none.</summary>
    public string? SectionText { get; init; }

    public bool HasPartial => PartialOffset > 0 || PartialLength is not null;

    /// <summary>;EXPIRE= (RFC 4467 §3): the URLAUTH is void from this moment on.</summary>
    public DateTimeOffset? Expire { get; init; }

    /// <summary>The access identifier of ;URLAUTH= ("authuser", "anonymous", "user+fred", "submit+fred"), lower-cased keyword; null without URLAUTH.</summary>
    public string? Access { get; init; }

    /// <summary>The authorization mechanism after the access identifier ("INTERNAL"); null in a rump URL.</summary>
    public string? Mechanism { get; init; }

    /// <summary>The hexadecimal verifier after the mechanism; null in a rump URL.</summary>
    public string? Token { get; init; }

    /// <summary>The URL up to and including the access identifier (the whole URL when it has no verifier).</summary>
    public string Rump { get; init; } = "";

    public bool HasUrlAuth => Access is not null;

    /// <summary>
    /// The BADURL response code for <paramref name="url"/> (RFC 4469 §6): the URL as the client
    /// sent it, with what a response code cannot hold (CR, LF, "]", other controls, non-ASCII)
    /// shown as "?".
    /// </summary>
    public static string BadUrlCode(string url) =>
        "BADURL " + (url.Length == 0 ? "?" : string.Concat(url.Select(c => (c is >= ' ' and < '\x7f' and not ']') ? c : '?')));

    public static bool TryParse(string url, out ImapUrl result)
    {
        result = null!;
        string? user = null;
        bool absolute = false;
        int pathStart = 0;
        if (url.StartsWith("imap://", StringComparison.OrdinalIgnoreCase))
        {
            absolute = true;
            int slash = url.IndexOf('/', 7);
            if (slash < 0)
            {
                return false;
            }

            string authority = url[7..slash];
            int at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                string userinfo = authority[..at];
                int auth = userinfo.IndexOf(';');
                string encodedUser = auth >= 0 ? userinfo[..auth] : userinfo;
                if (encodedUser.Length > 0 && !TryUnescape(encodedUser, out user))
                {
                    return false;
                }
            }

            if (authority[(at + 1)..].Length == 0)
            {
                return false;
            }

            pathStart = slash;
        }

        if (pathStart >= url.Length || url[pathStart] != '/')
        {
            return false;
        }

        int uidAt = url.IndexOf("/;UID=", pathStart, StringComparison.OrdinalIgnoreCase);
        if (uidAt < 0)
        {
            return false;
        }

        string mailbox = url[(pathStart + 1)..uidAt];
        uint? validity = null;
        int semicolon = mailbox.IndexOf(";UIDVALIDITY=", StringComparison.OrdinalIgnoreCase);
        if (semicolon >= 0)
        {
            if (!TryNonZero(mailbox[(semicolon + 13)..], out uint v))
            {
                return false;
            }

            validity = v;
            mailbox = mailbox[..semicolon];
        }

        if (mailbox.Length == 0 || !TryUnescape(mailbox, out mailbox))
        {
            return false;
        }

        // "/;UID=n", "/;SECTION=s", "/;PARTIAL=o.l"; the last may carry ";EXPIRE=...;URLAUTH=...".
        string[] pieces = url[(uidAt + 2)..].Split("/;");
        string last = pieces[^1];
        int suffixAt = last.IndexOf(';');
        string suffix = suffixAt >= 0 ? last[suffixAt..] : "";
        pieces[^1] = suffixAt >= 0 ? last[..suffixAt] : last;

        uint uid = 0;
        SectionSpec? section = null;
        string? sectionText = null;
        long offset = 0;
        long? length = null;
        for (int i = 0; i < pieces.Length; i++)
        {
            string piece = pieces[i];
            int eq = piece.IndexOf('=');
            if (eq < 0)
            {
                return false;
            }

            string key = piece[..eq].ToUpperInvariant();
            string value = piece[(eq + 1)..];
            switch (key)
            {
                case "UID" when i == 0 && TryNonZero(value, out uint u):
                    uid = u;
                    break;
                case "SECTION" when section is null && !PartialGiven(offset, length) && TryUnescape(value, out string decoded)
                                    && SectionSpec.TryParse(decoded.ToUpperInvariant(), out var spec):
                    section = spec;
                    sectionText = value;
                    break;
                case "PARTIAL" when !PartialGiven(offset, length) && TryPartial(value, out offset, out length):
                    break;
                default:
                    return false;
            }
        }

        if (uid == 0)
        {
            return false;
        }

        result = new ImapUrl(mailbox, validity, uid, section, offset, length)
        {
            User = user,
            IsAbsolute = absolute,
            SectionText = sectionText,
            Rump = url,
        };
        return suffix.Length == 0 || TryUrlAuth(url, suffix, ref result);
    }

    /// <summary>Parses ";EXPIRE=t;URLAUTH=access[:mech:token]" (or without EXPIRE) at the end of <paramref name="url"/>.</summary>
    private static bool TryUrlAuth(string url, string suffix, ref ImapUrl result)
    {
        var match = UrlAuthSuffix().Match(suffix);
        if (!match.Success)
        {
            return false;
        }

        DateTimeOffset? expire = null;
        if (match.Groups["expire"].Success)
        {
            if (!DateTimeOffset.TryParse(match.Groups["expire"].Value, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var when))
            {
                return false;
            }

            expire = when;
        }

        string access = match.Groups["access"].Value;
        int plus = access.IndexOf('+');
        if (plus >= 0)
        {
            string kind = access[..plus].ToLowerInvariant();
            if (kind is not ("user" or "submit") || !TryUnescape(access[(plus + 1)..], out string who) || who.Length == 0)
            {
                return false;
            }

            access = kind + "+" + who;
        }
        else
        {
            access = access.ToLowerInvariant();
            if (access is not ("authuser" or "anonymous"))
            {
                return false;
            }
        }

        var verifier = match.Groups["mechanism"];
        result = result with
        {
            Expire = expire,
            Access = access,
            Mechanism = verifier.Success ? verifier.Value : null,
            Token = verifier.Success ? match.Groups["token"].Value : null,
            Rump = verifier.Success ? url[..(url.Length - suffix.Length + verifier.Index - 1)] : url,
        };
        return true;
    }

    [GeneratedRegex(@"^(?:;EXPIRE=(?<expire>\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)))?;URLAUTH=(?<access>[^:;/]+)(?::(?<mechanism>[A-Za-z0-9_.-]+):(?<token>[0-9A-Fa-f]{32,}))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlAuthSuffix();

    private static bool PartialGiven(long offset, long? length) => offset > 0 || length is not null;

    private static bool TryNonZero(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0 && text[0] != '0';

    /// <summary>RFC 5550 partial-range: number ["." nz-number].</summary>
    private static bool TryPartial(string text, out long offset, out long? length)
    {
        length = null;
        string[] range = text.Split('.');
        if (range.Length > 2 || !long.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            offset = 0;
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

        return true;
    }

    /// <summary>Percent-decoding as UTF-8; false for a malformed escape or invalid UTF-8.</summary>
    private static bool TryUnescape(string text, out string result)
    {
        result = text;
        if (!text.Contains('%'))
        {
            return true;
        }

        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    return false;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        try
        {
            result = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }
}
