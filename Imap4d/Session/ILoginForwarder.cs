namespace Imap4d.Session;

/// <summary>
/// Where the login process sends LOGIN and AUTHENTICATE credentials: to the privileged daemon,
/// which checks them and, on success, hands the connection to a process running as the user.
/// </summary>
public interface ILoginForwarder
{
    /// <summary>The command's result: a NO or BAD to write here, or <see cref="Commands.CommandResult.HandOff"/>.</summary>
    ValueTask<Commands.CommandResult> ForwardAsync(CommandContext context, ForwardedLogin login, CancellationToken ct);
}

/// <summary>Credentials as a login command decoded them.</summary>
public sealed record ForwardedLogin(string User, string Password, string? AuthorizationIdentity, string Mechanism);
