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
        var selected = context.Session.State == SessionState.Selected ? context.Session.Selected : null;
        var watcher = selected is null ? null : context.Session.Watcher;
        try
        {
            bool watched = Watch(watcher, selected);
            if (watched)
            {
                // What changed between the last command's poll and the watch's start.
                await PollAsync(context, ct).ConfigureAwait(false);
            }

            while (true)
            {
                var wake = watched ? watcher!.WhenChanged() : Task.Delay(PollInterval, stop.Token);
                var first = await Task.WhenAny(read, wake, expired).ConfigureAwait(false);
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

                if (watched)
                {
                    watcher!.TakeChanged();

                    // A queue overflow or a directory that went away drops the watch: set it up again, or poll.
                    watched = watcher.IsWatched(selected!) || Watch(watcher, selected);
                }

                await PollAsync(context, ct).ConfigureAwait(false);
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

    private static bool Watch(ChangeWatcher? watcher, SelectedMailbox? selected) =>
        watcher is not null && selected is not null && watcher.Watch(selected, selected.Mailbox.ChangeSources);

    private static async ValueTask PollAsync(CommandContext context, CancellationToken ct)
    {
        if (context.Session.State == SessionState.Selected && context.Session.Selected is not null)
        {
            context.PollSelected(allowExpunge: true);
            await context.Writer.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
