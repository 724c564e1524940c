using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Delivery;
using Imap4d.Lmtp;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// Delivers one message to several accounts, for LMTP and for `--deliver` with several users.
/// Running as root, each recipient gets a process of its own that becomes the user before it
/// touches a file (<see cref="DeliveryChild"/>); otherwise (a mail user owning every virtual
/// mailbox, or a user's own .forward) the message is stored here with our own identity.
/// </summary>
public sealed class DeliveryAgent : IRecipientDelivery
{
    private readonly ServerSettings _settings;
    private readonly IReadOnlyList<string> _ownArguments;
    private readonly bool _keepStderr;
    private readonly LocalDelivery _local;

    public DeliveryAgent(ServerSettings settings, IReadOnlyList<string> ownArguments, ILogger log, bool keepStderr)
    {
        _settings = settings;
        _ownArguments = ownArguments;
        _keepStderr = keepStderr;
        Recipients = new RecipientResolver(settings, message => log.Warn(message));
        _local = CreateLocalDelivery(settings, log);
    }

    public RecipientResolver Recipients { get; }

    public UserInfo? Resolve(string recipient) => Recipients.Resolve(recipient);

    /// <summary>Whether deliveries run in a process per recipient (we are root).</summary>
    public static bool SeparateProcesses => Syscall.geteuid() == 0;

    /// <summary>The delivery of this process's identity, storing through each user's mail store as a session would.</summary>
    public static LocalDelivery CreateLocalDelivery(ServerSettings settings, ILogger log)
    {
        var homes = SessionServicesFactory.CreateHomeDirectory(settings, message => log.Warn(message));
        return new LocalDelivery(settings, SessionServicesFactory.CreateStoreFactory(settings, homes), log);
    }

    /// <summary>Delivers <paramref name="message"/> to each of <paramref name="users"/> in order; one outcome each.</summary>
    public async Task<IReadOnlyList<DeliveryOutcome>> DeliverAllAsync(
        IReadOnlyList<UserInfo> users, IncomingMessage message, DeliveryRequest request, CancellationToken ct)
    {
        var outcomes = new List<DeliveryOutcome>(users.Count);
        if (SeparateProcesses)
        {
            using var child = new DeliveryChild(message, _ownArguments, _keepStderr);
            foreach (var user in users)
            {
                outcomes.Add(await Task.Run(() => child.Deliver(user.Name, message.Sender, request.Folder), ct).ConfigureAwait(false));
            }

            return outcomes;
        }

        foreach (var user in users)
        {
            outcomes.Add(await _local.DeliverAsync(user, message, request, ct).ConfigureAwait(false));
        }

        return outcomes;
    }
}
