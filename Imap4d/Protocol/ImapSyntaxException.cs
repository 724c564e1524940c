namespace Imap4d.Protocol;

/// <summary>
/// A command that does not follow the grammar. Answered with a tagged BAD (or an untagged BAD
/// when no tag could be read); the session goes on with the next command.
/// </summary>
public class ImapSyntaxException(string message) : Exception(message)
{
    /// <summary>The tag of the broken command, when the reader got that far.</summary>
    public string? Tag { get; init; }

    /// <summary>Optional response code, e.g. TOOBIG.</summary>
    public string? Code { get; init; }
}

/// <summary>
/// Input the session cannot recover from (the client would keep sending data we refused
/// to read): answered with <c>* BYE</c>, then the connection is closed.
/// </summary>
public sealed class ProtocolViolationException(string message) : Exception(message);
