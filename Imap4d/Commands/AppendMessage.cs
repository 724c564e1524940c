using Imap4d.Mime;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// One message of APPEND (RFC 3501 §6.3.11; several with MULTIAPPEND, RFC 3502) or REPLACE (RFC 8508):
/// optional flags and internal date, then its data, a literal or a literal8 (RFC 3516), with
/// UTF8=ACCEPT enabled <c>UTF8 (~{n}...)</c> (RFC 6855 §4), or <c>CATENATE (...)</c> (RFC 4469).
/// </summary>
public sealed record AppendMessage(FlagSet Flags, DateTimeOffset InternalDate, LiteralContent Content)
{
    /// <summary>The content was built here (CATENATE) rather than read with the command: the caller disposes it.</summary>
    public bool Owned { get; init; }

    /// <summary>Reads one append-message; throws <see cref="ImapSyntaxException"/> on bad syntax.</summary>
    public static AppendMessage Read(ArgReader args, CommandContext context)
    {
        var flags = args.TryList(out var flagList) ? FlagArgs.Read(flagList) : FlagSet.Empty;
        var date = context.Services.Clock.GetLocalNow();
        if (args.Peek() is StringArg { IsLiteral: false } quoted)
        {
            args.ExpectAny();
            if (!ImapDate.TryParseDateTime(quoted.Text, out date))
            {
                throw new ImapSyntaxException("Invalid date-time");
            }
        }

        if (args.TryAtom("CATENATE"))
        {
            return new AppendMessage(flags, date, Catenate.Build(args.ExpectList("CATENATE parts"), context)) { Owned = true };
        }

        var content = ReadData(args, context, out bool binary);
        return binary && EncodeBinaryParts(content) is { } encoded
            ? new AppendMessage(flags, date, encoded) { Owned = true }
            : new AppendMessage(flags, date, content);
    }

    /// <summary>A literal8 message with binary parts, stored with them in base64 (see <see cref="BinaryPartEncoder"/>); null when it has none.</summary>
    private static LiteralContent? EncodeBinaryParts(LiteralContent content)
    {
        var output = FileLiteral.CreateSpool(Path.GetTempPath());
        try
        {
            using var input = content.OpenRead();
            if (!BinaryPartEncoder.TryEncode(input, output))
            {
                output.Dispose();
                return null;
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

    private static LiteralContent ReadData(ArgReader args, CommandContext context, out bool binary)
    {
        binary = true;
        if (args.TryAtom("UTF8"))
        {
            if (!context.Session.Enabled.Contains(Utf8Accept.Capability))
            {
                throw new ImapSyntaxException("UTF8 message data without ENABLE UTF8=ACCEPT");
            }

            var inner = args.ExpectList("UTF8 message");
            if (inner.ExpectAny("message literal") is not StringArg { IsLiteral: true, IsBinary: true } utf8)
            {
                throw new ImapSyntaxException("UTF8 message data must be a literal8");
            }

            inner.ExpectEnd();
            return utf8.Content;
        }

        if (args.ExpectAny("message literal") is not StringArg { IsLiteral: true } message)
        {
            throw new ImapSyntaxException("Missing message literal");
        }

        binary = message.IsBinary;
        return message.Content;
    }

    public AppendItem ToItem() => new(Content.OpenRead, Flags, InternalDate);
}
