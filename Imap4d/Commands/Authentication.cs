using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>The part of LOGIN and AUTHENTICATE that checks credentials and finishes the login.</summary>
internal static class Authentication
{
    public static async ValueTask<CommandResult> LoginAsync(
        CommandContext context, string user, string password, string mechanism, CancellationToken ct)
    {
        var authenticator = context.Services.Authenticator;
        var account = authenticator is null || user.Length == 0
            ? null
            : await authenticator.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        if (account is null)
        {
            context.Services.Log.Warn("authentication failed for {0} from {1} ({2})",
                user, context.Session.Connection.ClientText, mechanism);
            return CommandResult.No("Authentication failed", "AUTHENTICATIONFAILED");
        }

        string? refusal = await context.CompleteLoginAsync(account, mechanism, ct).ConfigureAwait(false);
        if (refusal is not null)
        {
            return CommandResult.No(refusal);
        }

        context.Session.State = SessionState.Authenticated;
        return CommandResult.Ok(context.CommandName + " Completed", CapabilityCommand.ResponseCode(context));
    }
}
