using Imap4d.Commands.Notify;

namespace Imap4d.Session;

/// <summary>
/// NOTIFY's events between commands (RFC 5465 §1, §5: with NOTIFY set the server sends them as
/// they happen, not only during IDLE). While the session waits for the next command it waits on
/// the client's first byte, the inotify watcher and the poll timer at once, and sends what
/// changed. Nothing is sent once a command has begun to arrive, so events never land inside a
/// command's exchange (a literal's "+" and the tagged reply come in order, with the events of
/// that time just before the tagged line, as after any command).
/// <para>
/// A client that does not read cannot make the session buffer without bound: nothing more is
/// written while the last events are still on their way, and when new events have waited longer
/// than <see cref="StallLimit"/> behind them NOTIFY is turned off with
/// <c>* OK [NOTIFICATIONOVERFLOW]</c> (§5.8), sent after what is queued. One batch of events is
/// held in memory up to <see cref="BatchLimit"/> and sent asynchronously, so a client that stops
/// reading in the middle of it is noticed the same way; a larger batch cannot wait in memory, and
/// a write of it that the client does not take within <see cref="StallLimit"/> ends the session
/// (RFC 5465 §5.8 lets the server close it), so the session never blocks for good.
/// </para>
/// </summary>
internal sealed class NotifyPush(ImapSession session)
{
    /// <summary>How long new events may wait behind output the client does not read before NOTIFY is turned off.</summary>
    public static TimeSpan StallLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One batch of events is kept in memory up to this size and sent without blocking, so that a
    /// client that stops reading in the middle of it still gets NOTIFICATIONOVERFLOW; a larger
    /// batch is written as it is made, and a write that waits <see cref="StallLimit"/> ends the session.
    /// </summary>
    public static int BatchLimit { get; set; } = 1024 * 1024;

    /// <summary>
    /// After a change woke the session, the selected mailbox is looked at again after these
    /// delays: a writer that still held the mailbox's lock when the first event came (an APPEND,
    /// an EXPUNGE in progress) may leave no later event, and its change must not wait for a poll.
    /// </summary>
    private static readonly TimeSpan[] Rechecks = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(700)];

    /// <summary>The selected mailbox watched for SELECTED events (the key of its watch).</summary>
    private SelectedMailbox? _watchedSelected;

    /// <summary>
    /// Returns once the client has sent a byte of its next command (or closed the connection),
    /// having sent NOTIFY's events until then. Throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/> without input (zero: none).
    /// </summary>
    public async Task WaitForCommandAsync(TimeSpan timeout, CancellationToken ct)
    {
        var data = session.Data;
        var writer = session.Writer;
        // Only waits for a byte, consuming nothing: the command is then read as usual.
        var input = session.Reader.WaitForInputAsync(ct).AsTask();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var expired = timeout > TimeSpan.Zero ? Task.Delay(timeout, session.Services.Clock, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        Task? flush = null;
        var flushStarted = DateTime.MinValue;
        bool backlog = false;
        bool overflowed = false;
        int recheck = Rechecks.Length; // none pending
        var woken = DateTime.MinValue;
        try
        {
            while (true)
            {
                var notify = data.Notify;
                var watcher = data.Watcher;
                bool selectedWatched = WatchSelected(notify, watcher);
                var waits = new List<Task>(5) { input, expired };
                Task? changed = null;
                Task? timer = null;
                if (flush is not null)
                {
                    waits.Add(flush);
                    if (notify is not null)
                    {
                        if (!backlog && (notify.UsesWatcher || selectedWatched))
                        {
                            waits.Add(changed = watcher!.WhenChanged());
                        }

                        if (backlog || notify.NeedsPolling)
                        {
                            var left = flushStarted + StallLimit - DateTime.UtcNow;
                            waits.Add(timer = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, stop.Token));
                        }
                    }
                }
                else if (notify is not null)
                {
                    if (notify.UsesWatcher || selectedWatched)
                    {
                        waits.Add(changed = watcher!.WhenChanged());
                    }

                    // A selected mailbox that cannot be watched is polled as often as IDLE polls it.
                    if (notify.WantsSelected && data.Selected is not null && !selectedWatched)
                    {
                        waits.Add(timer = Task.Delay(Commands.IdleCommand.PollInterval, stop.Token));
                    }
                    else if (notify.NeedsPolling)
                    {
                        waits.Add(timer = Task.Delay(NotifyMonitor.PollInterval, stop.Token));
                    }

                    if (recheck < Rechecks.Length && notify.WantsSelected && data.Selected is not null)
                    {
                        var left = woken + Rechecks[recheck] - DateTime.UtcNow;
                        waits.Add(Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, stop.Token));
                    }
                }

                var first = await Task.WhenAny(waits).ConfigureAwait(false);
                if (first == input)
                {
                    await input.ConfigureAwait(false); // a broken connection ends the session here
                    if (flush is not null)
                    {
                        await flush.ConfigureAwait(false); // the command's reply comes after the events
                    }

                    if (overflowed)
                    {
                        WriteOverflow(writer);
                    }

                    return;
                }

                if (first == expired)
                {
                    // With output stuck in front of it, a BYE could not be written: just end.
                    throw flush is { IsCompleted: false } ? new IOException("the client does not read") : new TimeoutException();
                }

                if (first == flush)
                {
                    await flush.ConfigureAwait(false);
                    flush = null;
                    backlog = false;
                    if (overflowed)
                    {
                        overflowed = false;
                        WriteOverflow(writer);
                        flush = writer.FlushAsync(ct).AsTask();
                        flushStarted = DateTime.UtcNow;
                    }

                    continue;
                }

                if (notify is null)
                {
                    continue;
                }

                if (flush is not null)
                {
                    if (first == changed)
                    {
                        backlog = true; // news waits behind what the client has not read
                    }
                    else if (first == timer && DateTime.UtcNow - flushStarted >= StallLimit)
                    {
                        session.Services.Log.Info("NOTIFY: the client has not read its events for {0}; notifications off", StallLimit);
                        data.SetNotify(null);
                        overflowed = true;
                    }

                    continue;
                }

                if (first == changed)
                {
                    (recheck, woken) = (0, DateTime.UtcNow);
                }
                else if (first != timer)
                {
                    recheck++;
                }

                var context = new CommandContext(session, "*", "");
                writer.HoldForPush(BatchLimit, StallLimit);
                try
                {
                    if (!notify.Deliver(context, pollSelected: notify.WantsSelected, allowExpunge: notify.ImmediateExpunge, ownTarget: null, ownNameChange: false))
                    {
                        data.SetNotify(null);
                    }
                }
                finally
                {
                    writer.EndHold();
                }

                flush = writer.FlushAsync(ct).AsTask();
                flushStarted = DateTime.UtcNow;
            }
        }
        finally
        {
            stop.Cancel();
        }
    }

    /// <summary>Stops watching the selected mailbox (NOTIFY off, or the session ends).</summary>
    public void Unwatch(ChangeWatcher? watcher)
    {
        if (_watchedSelected is not null)
        {
            watcher?.Unwatch(_watchedSelected);
            _watchedSelected = null;
        }
    }

    private static void WriteOverflow(Protocol.ResponseWriter writer) =>
        writer.UntaggedStatus("OK", "NOTIFICATIONOVERFLOW", "Events were not read in time; NOTIFY is off");

    /// <summary>
    /// Keeps a watch on the selected mailbox while NOTIFY wants its events (IDLE drops it when it
    /// ends; another SELECT replaces it). False when it cannot be watched: then it is polled.
    /// </summary>
    private bool WatchSelected(NotifyMonitor? notify, ChangeWatcher? watcher)
    {
        var data = session.Data;
        var selected = notify is not null && notify.WantsSelected && data.State == SessionState.Selected ? data.Selected : null;
        if (!ReferenceEquals(selected, _watchedSelected))
        {
            Unwatch(watcher);
        }

        if (selected is null || watcher is null)
        {
            return false;
        }

        _watchedSelected = selected;
        return watcher.IsWatched(selected) || watcher.Watch(selected, selected.Mailbox.ChangeSources);
    }
}
