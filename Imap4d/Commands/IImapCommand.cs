using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>
/// One IMAP command. A command parses all of its arguments before it touches anything,
/// writes its untagged responses through <see cref="CommandContext.Writer"/> and returns
/// the tagged result; the session writes the tagged line (the only place that does).
/// </summary>
public interface IImapCommand
{
    /// <summary>The command name, upper case; "UID FETCH" for the UID form.</summary>
    string Name { get; }

    SessionStates AllowedIn { get; }

    /// <summary>
    /// True for commands that address messages by sequence number (FETCH, STORE, SEARCH, COPY,
    /// MOVE): untagged EXPUNGE is withheld while they run (RFC 3501 §7.4.1).
    /// </summary>
    bool WithholdsExpunge => false;

    /// <summary>True when the grammar allows a literal8 (RFC 3516) somewhere in this command (APPEND's message).</summary>
    bool AcceptsLiteral8 => false;

    /// <summary>
    /// Capabilities this command (or the extension it implements) adds to CAPABILITY in the
    /// given situation, so that each extension is advertised beside its code.
    /// </summary>
    IEnumerable<string> Capabilities(CapabilityContext context) => [];

    ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct);
}

/// <summary>What a command sees when asked for its capabilities.</summary>
public sealed record CapabilityContext(SessionState State, Config.ServerSettings Settings)
{
    /// <summary>The connection is encrypted.</summary>
    public bool TlsActive { get; init; }

    /// <summary>STARTTLS can be used now: TLS is configured and usable, and not active yet.</summary>
    public bool StartTlsOffered { get; init; }

    /// <summary>LOGIN and AUTHENTICATE are refused here (see <see cref="LoginPolicy"/>).</summary>
    public bool LoginDisabled => LoginPolicy.IsDisabled(Settings, TlsActive);
}
