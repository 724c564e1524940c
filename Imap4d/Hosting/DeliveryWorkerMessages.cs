using Imap4d.Delivery;

namespace Imap4d.Hosting;

/// <summary>
/// What an LMTP or LDA process running as root and one of its delivery workers (a process that
/// has become one user for good, <see cref="DeliveryWorkerHost"/>) say to each other, one
/// sequenced packet each: a request carries the spooled message as an attached descriptor and
/// the envelope; the reply is the outcome. The worker trusts nothing in a request beyond what
/// its own user may do with it.
/// </summary>
public static class DeliveryWorkerMessages
{
    public const byte Request = 1;
    public const byte Reply = 2;

    /// <summary>Longest packet: five short strings or one reply text.</summary>
    public const int MaxMessage = 8 * 1024;

    private const int MaxField = 1024;

    public static byte[] EncodeRequest(DeliveryRequest request, string? sender) => new WireWriter()
        .Byte(Request)
        .String(Clip(sender))
        .String(Clip(request.Folder))
        .String(Clip(request.SourceIp))
        .String(Clip(request.SourceHost))
        .String(Clip(request.AuthUser))
        .Written.ToArray();

    /// <summary>The sender and the request; <see cref="InvalidDataException"/> when the packet is malformed.</summary>
    public static (string? Sender, DeliveryRequest Request) DecodeRequest(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        if (reader.Byte() != Request)
        {
            throw new InvalidDataException("not a delivery request");
        }

        string? sender = reader.String(MaxField);
        var request = new DeliveryRequest
        {
            Sender = sender,
            Folder = reader.String(MaxField),
            SourceIp = reader.String(MaxField),
            SourceHost = reader.String(MaxField),
            AuthUser = reader.String(MaxField),
        };
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("trailing bytes in a delivery request");
        }

        return (sender, request);
    }

    public static byte[] EncodeReply(DeliveryOutcome outcome) =>
        new WireWriter().Byte(Reply).Int(outcome.ExitCode).String(Clip(outcome.Text)).Written.ToArray();

    public static DeliveryOutcome DecodeReply(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        if (reader.Byte() != Reply)
        {
            throw new InvalidDataException("not a delivery reply");
        }

        int code = reader.Int();
        string text = reader.RequiredString(MaxField);
        if (code is < 0 or > 255 || !reader.AtEnd)
        {
            throw new InvalidDataException("malformed delivery reply");
        }

        return new DeliveryOutcome(code, text);
    }

    /// <summary>Fields are bounded; an LMTP client's HELO name or a filter's text longer than this is cut, not sent whole.</summary>
    private static string? Clip(string? value) =>
        value is null || value.Length <= MaxField / 4 ? value : value[..(MaxField / 4)];
}
