using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Delivery;
using Imap4d.Native;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// A delivery worker: `imap4d --deliver -- USER` started by a process running as root with
/// IMAP4D_DELIVERY_CHANNEL set (see <see cref="DeliveryWorker"/>). It becomes USER for good
/// first, exactly as a session process does after login and before reading any request, then
/// stores every message that arrives on the channel for that user and answers each with its
/// outcome, until the channel closes. One process per recipient and connection, not per
/// message: its identity never changes, so no delivery for one user can run with another's rights.
/// The daemon also starts these workers for URL owners: they answer cross-user URLFETCH
/// requests (<see cref="OwnerUrlWorker"/>) with the owner's rights.
/// </summary>
public static class DeliveryWorkerHost
{
    public static int Run(ServerSettings settings, string recipient, int channel, ILogger log)
    {
        var refusal = Become(settings, recipient, log, out var user);
        var delivery = refusal is null ? DeliveryAgent.CreateLocalDelivery(settings, log) : null;
        var buffer = new byte[DeliveryWorkerMessages.MaxMessage];
        try
        {
            while (true)
            {
                int n = DescriptorPassing.ReceivePacket(channel, buffer, out int fd, out bool truncated);
                if (n == 0)
                {
                    return ExitCodes.Ok;
                }

                if (!truncated && buffer[0] == OwnerUrlMessages.WorkerRequest)
                {
                    FileDescriptors.Close(fd);
                    OwnerUrlWorker.Answer(channel, settings, refusal is null ? user : null, recipient, buffer.AsSpan(0, n), log);
                    continue;
                }

                DeliveryOutcome outcome;
                using (var file = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null)
                {
                    outcome = truncated || file is null
                        ? new DeliveryOutcome(DeliveryOutcome.Software, "malformed delivery request")
                        : refusal ?? Deliver(delivery!, user!, buffer.AsSpan(0, n), file, settings, log);
                }

                DescriptorPassing.SendPacket(channel, DeliveryWorkerMessages.EncodeReply(outcome), -1);
            }
        }
        catch (NativeError e)
        {
            log.Error("delivery worker for {0}: channel failed: {1}", recipient, e.Message);
            return ExitCodes.TempFail;
        }
    }

    /// <summary>Resolves the recipient and switches to it for good; the outcome every request gets when that failed.</summary>
    private static DeliveryOutcome? Become(ServerSettings settings, string recipient, ILogger log, out UserInfo? user)
    {
        user = new RecipientResolver(settings, message => log.Warn(message)).Resolve(recipient);
        if (user is null)
        {
            return DeliveryOutcome.UnknownUser;
        }

        if (Mono.Unix.Native.Syscall.geteuid() != 0)
        {
            return null; // started by a process that is not root: we are already who may deliver
        }

        var privileges = new PrivilegeSwitch(settings.Auth.Privileges, new SystemGroupDirectory(), log, reason =>
        {
            LogManager.Flush();
            Environment.Exit(ExitCodes.TempFail);
        });
        if (privileges.Switch(user) is not null)
        {
            // uid 0 is refused for good; a virtual user without uid is a configuration to fix, meanwhile mail waits.
            return user.Uid == 0
                ? new DeliveryOutcome(DeliveryOutcome.NoPermission, "refusing to deliver as root")
                : new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot switch to the user");
        }

        return null;
    }

    private static DeliveryOutcome Deliver(LocalDelivery delivery, UserInfo user, ReadOnlySpan<byte> packet, SafeFileHandle file,
        ServerSettings settings, ILogger log)
    {
        (string? sender, DeliveryRequest request) decoded;
        try
        {
            decoded = DeliveryWorkerMessages.DecodeRequest(packet);
        }
        catch (InvalidDataException e)
        {
            log.Error("delivery worker for {0}: {1}", user.Name, e.Message);
            return new DeliveryOutcome(DeliveryOutcome.Software, "malformed delivery request");
        }

        IncomingMessage message;
        try
        {
            using var input = new FileStream(file, FileAccess.Read, 1);
            input.Position = 0;
            message = IncomingMessage.Read(input, decoded.sender, settings.Limits.MaxAppendSize);
        }
        catch (InvalidDataException e)
        {
            return new DeliveryOutcome(DeliveryOutcome.DataError, e.Message);
        }
        catch (IOException e)
        {
            return new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot read the message: " + e.Message);
        }

        using (message)
        {
            return delivery.DeliverAsync(user, message, decoded.request, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
