using Imap4d.Commands.UrlAuth;
using Imap4d.Mime;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 4467 §6.3 URLFETCH url...: "* URLFETCH url data" for each URLAUTH-authorized URL, NIL for
// one that is invalid, unauthorized, expired, made with a key RESETKEY replaced since, or names
// nothing. RFC 5524 (URLAUTH=BINARY): "(url BODY|BINARY|BODYPARTSTRUCTURE...)" answers
// "(BODYPARTSTRUCTURE body) (BODY data)|(BINARY data)"; BINARY is the part with its
// Content-Transfer-Encoding undone (NIL when it cannot be), and BODYPARTSTRUCTURE then
// describes that data. ;PARTIAL= (RFC 5550) windows BODY and BINARY data. Flags are not changed.
public sealed class UrlFetchCommand : IImapCommand
{
    public string Name => "URLFETCH";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var requests = new List<UrlFetchRequest>();
        do
        {
            requests.Add(UrlFetchRequest.Read(args));
        }
        while (!args.AtEnd);

        var now = DateTimeOffset.UtcNow;
        bool unavailable = false;
        foreach (var request in requests)
        {
            unavailable |= !Answer(context, request, now);
        }

        return ValueTask.FromResult(unavailable
            ? CommandResult.No("Another user's URL could not be resolved now", "UNAVAILABLE")
            : CommandResult.Ok("URLFETCH Completed"));
    }

    /// <summary>Writes the URL's response; false when its owner's side could not be asked (it got NIL).</summary>
    private static bool Answer(CommandContext context, UrlFetchRequest request, DateTimeOffset now)
    {
        var writer = context.Writer.Untagged().Atom("URLFETCH").String(request.Url);
        UrlMessage? message = null;
        bool answered = true;
        if (ImapUrl.TryParse(request.Url, out var url))
        {
            if (url.User == context.Session.User!.Name)
            {
                message = UrlAuthorization.Allows(context, url, now) ? UrlMessage.Open(context, url) : null;
            }
            else if (url is { IsAbsolute: true, User: not null, Token: not null } && context.Services.OtherUserUrls is { } others)
            {
                var found = others.Fetch(url, request.Url, context.Session.User.Name);
                answered = !found.Unavailable;
                message = found.Message is { } bytes ? UrlMessage.FromBytes(bytes) : null;
            }
        }

        if (message is null)
        {
            writer.Nil().EndLine();
            return answered;
        }

        if (!request.Extended)
        {
            WriteData(writer, message.Section(url.Section), url, binary: false);
            writer.EndLine();
            return true;
        }

        var part = message.Part(url.Section);
        byte[]? body = request.Body ? message.Section(url.Section) : null;
        if ((part is null && (request.Binary || request.BodyPartStructure)) || (request.Body && body is null))
        {
            writer.Nil().EndLine(); // the URL names no body part (a header, say): nothing of what was asked exists
            return true;
        }

        byte[]? decoded = request.Binary ? message.Decoded(url.Section, part!) : null;
        if (request.BodyPartStructure)
        {
            var structure = BodyStructureBuilder.Build(part!);
            if (decoded is not null && !part!.IsMultipart && !part.IsMessage && url.Section is { Part.Count: > 0 })
            {
                // Describes the data BINARY gives: no transfer encoding left (line count as Dovecot gives it).
                structure = structure with { Encoding = BinaryEncodingOf(decoded), Size = decoded.Length, Lines = structure.Lines is null ? null : 0 };
            }

            writer.BeginList().Atom("BODYPARTSTRUCTURE");
            BodyStructureWriter.Write(writer, structure, extensions: true);
            writer.EndList();
        }

        if (request.Body)
        {
            writer.BeginList().Atom("BODY");
            WriteData(writer, body, url, binary: false);
            writer.EndList();
        }

        if (request.Binary)
        {
            writer.BeginList().Atom("BINARY");
            WriteData(writer, decoded, url, binary: true);
            writer.EndList();
        }

        writer.EndLine();
        return true;
    }

    private static void WriteData(ResponseWriter writer, byte[]? data, ImapUrl url, bool binary)
    {
        if (data is null)
        {
            writer.Nil();
            return;
        }

        var window = UrlMessage.Window(data, url);
        bool hasNul = binary && window.Span.Contains((byte)0);
        int start = (int)Math.Min(url.PartialOffset, data.Length);
        writer.Literal(new MemoryStream(data, start, window.Length, writable: false), window.Length, hasNul);
    }

    private static string BinaryEncodingOf(byte[] data) =>
        data.AsSpan().Contains((byte)0) ? "binary" : data.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xff) >= 0 ? "8bit" : "7bit";
}

/// <summary>One argument of URLFETCH: a URL, or (RFC 5524) a parenthesized URL with what to fetch of it.</summary>
internal sealed record UrlFetchRequest(string Url, bool Extended, bool Body, bool Binary, bool BodyPartStructure)
{
    public static UrlFetchRequest Read(ArgReader args)
    {
        if (!args.TryList(out var list))
        {
            return new UrlFetchRequest(args.ExpectAString("URL"), false, false, false, false);
        }

        string url = list.ExpectAString("URL");
        bool body = false, binary = false, structure = false;
        while (!list.AtEnd)
        {
            switch (list.ExpectAtom("URLFETCH parameter").ToUpperInvariant())
            {
                case "BODY" when !body:
                    body = true;
                    break;
                case "BINARY" when !binary:
                    binary = true;
                    break;
                case "BODYPARTSTRUCTURE" when !structure:
                    structure = true;
                    break;
                default:
                    throw new ImapSyntaxException("Invalid URLFETCH parameter");
            }
        }

        if (body && binary)
        {
            throw new ImapSyntaxException("BODY and BINARY are exclusive");
        }

        // "(url)" asks for nothing more than the plain form does.
        return body || binary || structure ? new UrlFetchRequest(url, true, body, binary, structure) : new UrlFetchRequest(url, false, false, false, false);
    }
}
