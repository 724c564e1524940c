namespace Imap4d.Delivery;

/// <summary>
/// What a delivery is asked to do besides storing the message: the folder named by the
/// caller (`--deliver -m FOLDER`; null for INBOX), and what the filter's placeholders are
/// made of: the envelope sender and, for LMTP, the client and the authenticated user.
/// </summary>
public sealed record DeliveryRequest
{
    public string? Folder { get; init; }

    public string? Sender { get; init; }

    public string? SourceIp { get; init; }

    public string? SourceHost { get; init; }

    public string? AuthUser { get; init; }
}
