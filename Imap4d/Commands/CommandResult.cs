using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>The tagged completion of a command, and the state the session moves to after sending it.</summary>
public sealed record CommandResult(string Status, string? Code, string Text, SessionState? Next = null)
{
    /// <summary>Runs once the tagged line has been flushed (STARTTLS starts its handshake there).</summary>
    public Func<CancellationToken, ValueTask>? AfterResponse { get; init; }

    public static CommandResult Ok(string text, string? code = null, SessionState? next = null) => new("OK", code, text, next);

    public static CommandResult No(string text, string? code = null) => new("NO", code, text);

    public static CommandResult Bad(string text, string? code = null) => new("BAD", code, text);
}
