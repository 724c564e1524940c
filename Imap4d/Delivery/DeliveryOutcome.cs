namespace Imap4d.Delivery;

/// <summary>
/// The result of delivering one message to one recipient, as a sysexits.h status (what an MTA
/// reads from a mailbox_command or pipe transport) and a short text; LMTP turns it into a reply.
/// </summary>
public sealed record DeliveryOutcome(int ExitCode, string Text)
{
    public const int Ok = 0;
    public const int DataError = 65;
    public const int NoUser = 67;
    public const int Software = 70;
    public const int CantCreate = 73;
    public const int TempFail = 75;
    public const int NoPermission = 77;

    public bool Delivered => ExitCode == Ok;

    public static DeliveryOutcome Saved(string folder) => new(Ok, "delivered to " + folder);

    public static DeliveryOutcome UnknownUser { get; } = new(NoUser, "user unknown");

    /// <summary>The RFC 2033 reply for this outcome, with RFC 3463 enhanced codes chosen as Postfix maps the same sysexits.</summary>
    public string LmtpReply(string recipient) => ExitCode switch
    {
        Ok => $"250 2.0.0 <{recipient}> Saved",
        DataError => $"554 5.6.0 <{recipient}> Message data unusable",
        NoUser => $"550 5.1.1 <{recipient}> User unknown",
        CantCreate => $"550 5.3.0 <{recipient}> Cannot create the mailbox",
        NoPermission => $"550 5.7.0 <{recipient}> Permission denied",
        _ => $"451 4.3.0 <{recipient}> Temporary failure, try again later",
    };
}
