using Imap4d.Auth;
using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>The part of LOGIN and AUTHENTICATE that checks credentials and finishes the login.</summary>
internal static class Authentication
{
    /// <param name="authorizationIdentity">SASL PLAIN's authzid (act as this user), or null.</param>
    public static async ValueTask<CommandResult> LoginAsync(
        CommandContext context, string user, string password, string mechanism, CancellationToken ct,
        string? authorizationIdentity = null)
    {
        if (context.LoginForwarder is { } forwarder)
        {
            // The login process: the daemon checks the credentials and hands the connection on.
            return await forwarder.ForwardAsync(context, new ForwardedLogin(user, password, authorizationIdentity, mechanism), ct).ConfigureAwait(false);
        }

        var outcome = await CheckAsync(context, user, password, authorizationIdentity, mechanism, ct).ConfigureAwait(false);
        if (outcome.Blocked)
        {
            return CommandResult.No("Too many failed logins; try again later", "UNAVAILABLE");
        }

        if (outcome.Unavailable)
        {
            return CommandResult.No("Authentication service unavailable", "UNAVAILABLE");
        }

        if (outcome.User is not { } account)
        {
            return CommandResult.No("Authentication failed", "AUTHENTICATIONFAILED");
        }

        string how = outcome.Administrator is { } admin ? $"{mechanism}, by administrator {admin}" : mechanism;
        string? refusal = await context.CompleteLoginAsync(account, how, ct).ConfigureAwait(false);
        if (refusal is not null)
        {
            return CommandResult.No(refusal);
        }

        context.Session.State = SessionState.Authenticated;
        return CommandResult.Ok(context.CommandName + " Completed", CapabilityCommand.ResponseCode(context));
    }

    private static async ValueTask<LoginOutcome> CheckAsync(
        CommandContext context, string user, string password, string? authorizationIdentity, string mechanism, CancellationToken ct)
    {
        var services = context.Services;
        var connection = context.Session.Connection;
        if (services.Login is { } login)
        {
            var request = new LoginRequest(user, password, authorizationIdentity, mechanism, connection.RemoteAddress, connection.ClientText);
            return await login.LoginAsync(request, ct).ConfigureAwait(false);
        }

        // No login policy (tests of the protocol): the password check alone.
        var account = services.Authenticator is null || user.Length == 0
            ? null
            : await services.Authenticator.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        if (account is null)
        {
            services.Log.Warn("authentication failed for {0} from {1} ({2})", user, connection.ClientText, mechanism);
            return LoginOutcome.Refused;
        }

        return LoginOutcome.Success(account);
    }
}
