using Imap4d.Auth;
using Imap4d.Delivery;

namespace Imap4d.Lmtp;

/// <summary>What an LMTP session delivers through: recipients checked at RCPT, messages stored after DATA.</summary>
public interface IRecipientDelivery
{
    /// <summary>The account of a recipient address, or null when there is none.</summary>
    UserInfo? Resolve(string recipient);

    /// <summary>Delivers to each user in order; one outcome per user, in the same order.</summary>
    Task<IReadOnlyList<DeliveryOutcome>> DeliverAllAsync(IReadOnlyList<UserInfo> users, IncomingMessage message, DeliveryRequest request, CancellationToken ct);
}
