using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 2177 IDLE: changes to the selected mailbox (new mail, expunges, flags set by other
// sessions or programs) are pushed within a second, without waiting for the client.
public sealed class IdleCommand : IImapCommand
{
    /// <summary>How often the selected mailbox is checked while idling.</summary>
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
        var deadline = timeout > TimeSpan.Zero ? DateTime.UtcNow + timeout : DateTime.MaxValue;
        var read = context.ReadLineAsync(ct).AsTask();
        while (true)
        {
            var tick = Task.Delay(PollInterval, ct);
            if (await Task.WhenAny(read, tick).ConfigureAwait(false) == read)
            {
                string line = await read.ConfigureAwait(false) ?? throw new EndOfStreamException();
                return line.Trim().Equals("DONE", StringComparison.OrdinalIgnoreCase)
                    ? CommandResult.Ok("IDLE terminated")
                    : CommandResult.Bad("Expected DONE");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException();
            }

            if (context.Session.State == SessionState.Selected && context.Session.Selected is { } selected)
            {
                selected.Poll(context.Writer, allowExpunge: true);
                await context.Writer.FlushAsync(ct).ConfigureAwait(false);
            }
        }
    }
}
