using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>The tagged completion of a command, and the state the session moves to after sending it.</summary>
public sealed record CommandResult(string Status, string? Code, string Text, SessionState? Next = null)
{
    /// <summary>Runs once the tagged line has been flushed (STARTTLS starts its handshake there).</summary>
    public Func<CancellationToken, ValueTask>? AfterResponse { get; init; }

    /// <summary>
    /// The connection now belongs to another process, which writes this command's tagged
    /// response: this session writes nothing more and ends (a login in the login process).
    /// </summary>
    public bool HandedOff { get; init; }

    public static CommandResult HandOff { get; } = new("OK", null, "") { HandedOff = true, Next = SessionState.Logout };

    public static CommandResult Ok(string text, string? code = null, SessionState? next = null) => new("OK", code, text, next);

    public static CommandResult No(string text, string? code = null) => new("NO", code, text);

    public static CommandResult Bad(string text, string? code = null) => new("BAD", code, text);
}
