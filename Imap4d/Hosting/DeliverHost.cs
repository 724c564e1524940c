using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Delivery;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// `imap4d --deliver [-f SENDER] [-m FOLDER] USER...`: a local delivery agent for an MTA
/// (Postfix mailbox_command, an Exim pipe transport, a .forward). Reads one message from standard
/// input and stores it for each user as a session's APPEND would. Started as root with one user,
/// it becomes that user for good first; with several, each gets a worker process of its own
/// (<see cref="DeliveryWorkerHost"/>, which is also what the environment variable
/// IMAP4D_DELIVERY_CHANNEL makes of this mode). The exit
/// status is a sysexits.h code the MTA understands: 0 delivered to every user, 75 try again
/// (when any delivery failed temporarily), else the first failure (65 bad message, 67 unknown
/// user, 73 cannot create the mailbox, 77 permission denied).
/// </summary>
public static class DeliverHost
{
    public static int Run(ServerSettings settings, CommandLineOptions options, IReadOnlyList<string> args, TextWriter stderr, int? workerChannel = null)
    {
        var log = LogManager.GetLogger("imap4d");
        if (options.Recipients.Count == 0)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: --deliver needs at least one USER");
            return ExitCodes.Usage;
        }

        if (workerChannel is int channel && options.Recipients.Count == 1)
        {
            return DeliveryWorkerHost.Run(settings, options.Recipients[0], channel, log);
        }

        IncomingMessage message;
        try
        {
            using var input = Console.OpenStandardInput();
            message = IncomingMessage.Read(input, options.From, settings.Limits.MaxAppendSize);
        }
        catch (InvalidDataException e)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: {e.Message}");
            log.Error("message not delivered: {0}", e.Message);
            return ExitCodes.DataError;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: cannot read the message: {e.Message}");
            return ExitCodes.TempFail;
        }

        using (message)
        {
            var outcomes = Deliver(settings, options, args, message, log);
            foreach (var (recipient, outcome) in options.Recipients.Zip(outcomes))
            {
                if (!outcome.Delivered)
                {
                    stderr.WriteLine($"{HelpText.ProgramName}: {recipient}: {outcome.Text}");
                }
            }

            return outcomes.All(o => o.Delivered) ? ExitCodes.Ok
                : outcomes.Any(o => o.ExitCode == ExitCodes.TempFail) ? ExitCodes.TempFail
                : outcomes.First(o => !o.Delivered).ExitCode;
        }
    }

    private static List<DeliveryOutcome> Deliver(ServerSettings settings, CommandLineOptions options, IReadOnlyList<string> args,
        IncomingMessage message, ILogger log)
    {
        using var agent = new DeliveryAgent(settings, args, log, keepStderr: true);
        var request = new DeliveryRequest { Folder = options.DeliverFolder, Sender = message.Sender };
        var users = options.Recipients.Select(agent.Recipients.Resolve).ToList();
        foreach (var (recipient, user) in options.Recipients.Zip(users).Where(pair => pair.Second is null))
        {
            log.Warn("message not delivered to {0}: no such user", recipient);
        }

        var found = users.OfType<UserInfo>().ToList();
        IReadOnlyList<DeliveryOutcome> delivered;
        if (DeliveryAgent.SeparateProcesses && found.Count == 1 && users.Count == 1)
        {
            delivered = [DeliverAsRecipient(settings, found[0], message, request, log)];
        }
        else
        {
            delivered = agent.DeliverAllAsync(found, message, request, CancellationToken.None).GetAwaiter().GetResult();
        }

        var outcomes = new List<DeliveryOutcome>();
        int next = 0;
        foreach (var user in users)
        {
            outcomes.Add(user is null ? DeliveryOutcome.UnknownUser : delivered[next++]);
        }

        return outcomes;
    }

    /// <summary>As root for one user: become the user for good, exactly as a session process does after login, then store.</summary>
    private static DeliveryOutcome DeliverAsRecipient(ServerSettings settings, UserInfo user, IncomingMessage message, DeliveryRequest request, ILogger log)
    {
        var privileges = new PrivilegeSwitch(settings.Auth.Privileges, new SystemGroupDirectory(), log, reason =>
        {
            LogManager.Flush();
            Environment.Exit(ExitCodes.TempFail);
        });
        if (privileges.Switch(user) is { } refused)
        {
            // uid 0 is refused for good; a virtual user without uid is a configuration to fix, meanwhile mail waits.
            return user.Uid == 0
                ? new DeliveryOutcome(DeliveryOutcome.NoPermission, "refusing to deliver as root")
                : new DeliveryOutcome(DeliveryOutcome.TempFail, refused.ToLowerInvariant());
        }

        return DeliveryAgent.CreateLocalDelivery(settings, log).DeliverAsync(user, message, request, CancellationToken.None).GetAwaiter().GetResult();
    }
}
