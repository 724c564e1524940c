using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 2177 IDLE: changes to the selected mailbox (new mail, expunges, flags set by other
// sessions or programs) are pushed as they happen. The session waits on the client's DONE and
// on its inotify watcher (ChangeWatcher) at once, so a change shows within milliseconds and
// nothing runs while nothing changes; where the mailbox cannot be watched (no inotify, a
// network file system, IMAP4D_INOTIFY=off) it is polled every PollInterval instead.
public sealed class IdleCommand : IImapCommand
{
    /// <summary>How often the selected mailbox is checked while idling when it cannot be watched.</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    public string Name => "IDLE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["IDLE"];

    public async ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        context.Writer.Continue("idling");
        await context.Writer.FlushAsync(ct).ConfigureAwait(false);
        var timeout = context.Settings.IdleTimeout;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var expired = timeout > TimeSpan.Zero ? Task.Delay(timeout, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        var read = context.ReadLineAsync(ct).AsTask();
        var notify = context.Session.Notify;
        var selected = context.Session.State == SessionState.Selected ? context.Session.Selected : null;

        // With NOTIFY set, the selected mailbox's events come only if it asked for them (RFC 5465 §4).
        bool pollSelected = selected is not null && (notify is null || notify.WantsSelected);
        var watcher = pollSelected || notify is not null ? context.Session.Watcher : null;
        try
        {
            bool watched = pollSelected && Watch(watcher, selected);
            if (watched || notify is not null)
            {
                // What changed between the last command's updates and the watches' start.
                notify = await DeliverAsync(context, notify, pollSelected, ct).ConfigureAwait(false);
            }

            while (true)
            {
                var waits = new List<Task>(4) { read, expired };
                if (watched || notify?.UsesWatcher == true)
                {
                    waits.Add(watcher!.WhenChanged());
                }

                if (pollSelected && !watched)
                {
                    waits.Add(Task.Delay(PollInterval, stop.Token));
                }
                else if (notify?.NeedsPolling == true)
                {
                    waits.Add(Task.Delay(Notify.NotifyMonitor.PollInterval, stop.Token));
                }

                var first = await Task.WhenAny(waits).ConfigureAwait(false);
                if (first == read)
                {
                    string line = await read.ConfigureAwait(false) ?? throw new EndOfStreamException();
                    return line.Trim().Equals("DONE", StringComparison.OrdinalIgnoreCase)
                        ? CommandResult.Ok("IDLE terminated")
                        : CommandResult.Bad("Expected DONE");
                }

                if (first == expired)
                {
                    throw new TimeoutException();
                }

                notify = await DeliverAsync(context, notify, pollSelected, ct).ConfigureAwait(false);
                if (watched)
                {
                    // A queue overflow or a directory that went away drops the watch: set it up again, or poll.
                    watched = watcher!.IsWatched(selected!) || Watch(watcher, selected);
                }
            }
        }
        finally
        {
            stop.Cancel();
            if (selected is not null)
            {
                watcher?.Unwatch(selected);
            }
        }
    }

    /// <summary>Sends what changed: NOTIFY's events when it is set (null after a NOTIFICATIONOVERFLOW), else the selected mailbox's.</summary>
    private static async ValueTask<Notify.NotifyMonitor?> DeliverAsync(CommandContext context, Notify.NotifyMonitor? notify, bool pollSelected, CancellationToken ct)
    {
        if (notify is null)
        {
            context.Session.Watcher?.TakeChanged();
            if (pollSelected)
            {
                context.PollSelected(allowExpunge: true);
            }
        }
        else if (!notify.Deliver(context, pollSelected, allowExpunge: true, ownTarget: null, ownNameChange: false))
        {
            context.Session.SetNotify(null);
            notify = null;
        }

        await context.Writer.FlushAsync(ct).ConfigureAwait(false);
        return notify;
    }

    private static bool Watch(ChangeWatcher? watcher, SelectedMailbox? selected) =>
        watcher is not null && selected is not null && watcher.Watch(selected, selected.Mailbox.ChangeSources);
}
