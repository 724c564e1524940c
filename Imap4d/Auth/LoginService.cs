using Imap4d.Auth.Lockout;
using Imap4d.Config;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Everything between "the client sent a name and a password" and "serve this account":
/// login-name rules, impersonation, the lockout, authorization (the account must be known to
/// the `authorization` modules, as GNU's mu_get_auth_by_name), authentication, the access
/// lists, and the failed-login delay. Every failure is answered alike, after a delay counted
/// from the start of the attempt (<see cref="AuthSettings.FailureDelay"/>, growing with recent
/// failures, see <see cref="LoginPenalty"/>), so neither the answer nor its timing tells a wrong
/// password from an unknown user or a denied one. An attempt refused because its pair or
/// address is blocked is answered differently (the client must know to stop trying), but
/// without the password being checked, so that answer tells nothing about the password.
/// Success is never delayed. No lock is held while waiting.
/// </summary>
public sealed class LoginService
{
    private readonly IAuthenticator _authenticator;
    private readonly IUserDirectory? _authorization;
    private readonly LoginNameRules _names;
    private readonly AccessRules? _access;
    private readonly LoginPenalty? _penalty;
    private readonly AuthSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;

    /// <param name="authorization">Where accounts are found; null trusts what the authenticator returns (tests).</param>
    /// <param name="access">allow/deny lists; null for none.</param>
    /// <param name="lockout">Failure counters; null turns the lockout off.</param>
    public LoginService(
        IAuthenticator authenticator, IUserDirectory? authorization, LoginNameRules names, AccessRules? access,
        ILockoutStore? lockout, AuthSettings settings, TimeProvider? clock = null, ILogger? log = null)
    {
        _authenticator = authenticator;
        _authorization = authorization;
        _names = names;
        _access = access;
        _penalty = lockout is null ? null : new LoginPenalty(lockout, settings.Lockout, settings.FailureDelay, clock);
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _log = log ?? LogManager.CreateNullLogger();
    }

    /// <summary>
    /// The access lists alone, for an account that did not log in (a preauth user named by
    /// ident or a preauth program): null when it may be served, else the reason (for the log).
    /// </summary>
    public string? CheckAccess(UserInfo user) => _access?.Check(user);

    /// <summary>Checks one attempt; never throws for bad credentials or a failing module.</summary>
    public async ValueTask<LoginOutcome> LoginAsync(LoginRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = _clock.GetUtcNow();
        var (outcome, delay) = await AttemptAsync(request, ct).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            var answerAt = start + delay;
            if (_penalty is not null && !outcome.Unavailable)
            {
                answerAt = PaceAnswer(request.ClientAddress, answerAt);
            }

            var remaining = answerAt - _clock.GetUtcNow();
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining, _clock, ct).ConfigureAwait(false);
            }
        }

        return outcome;
    }

    private DateTimeOffset PaceAnswer(System.Net.IPAddress? address, DateTimeOffset earliest)
    {
        try
        {
            return _penalty!.AnswerTime(address, earliest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "lockout: cannot pace the answer for {0}", LockoutKeys.ForAddress(address));
            return earliest;
        }
    }

    /// <summary>The outcome, and how long after the start of the attempt a failure is answered.</summary>
    private async ValueTask<(LoginOutcome, TimeSpan)> AttemptAsync(LoginRequest request, CancellationToken ct)
    {
        try
        {
            return await CheckAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A user database or the lockout store failing is the server's trouble, never the client's.
            _log.Error(e, "login of {0} from {1} ({2}) could not be checked", request.LoginName, request.ClientText, request.Mechanism);
            return (LoginOutcome.ServiceUnavailable, _settings.FailureDelay);
        }
    }

    private async ValueTask<(LoginOutcome, TimeSpan)> CheckAsync(LoginRequest request, CancellationToken ct)
    {
        var (authcid, target) = SplitIdentities(request);
        if (authcid.Length == 0)
        {
            return Fail(request, authcid, "empty user name");
        }

        if (_penalty?.Refusal(request.ClientAddress, authcid) is { } refusal)
        {
            _log.Warn("login of {0} from {1} ({2}) refused without checking the password: {3}", authcid, request.ClientText, request.Mechanism, refusal);
            return (LoginOutcome.TooManyFailures, _settings.FailureDelay);
        }

        if (target is not null && !_settings.Impersonation.Administrators.Contains(authcid, StringComparer.Ordinal))
        {
            return Fail(request, authcid, $"not an administrator, cannot act as {target}");
        }

        UserInfo? account = null;
        if (_authorization is not null)
        {
            account = _authorization.Lookup(authcid);
            if (account is null)
            {
                return Fail(request, authcid, "no such user in the authorization modules");
            }
        }

        UserInfo? authenticated;
        try
        {
            authenticated = await _authenticator.AuthenticateAsync(authcid, request.Password, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _log.Error("authentication of {0} from {1} ({2}) could not be checked: {3}", authcid, request.ClientText, request.Mechanism, e.Message);
            return (LoginOutcome.ServiceUnavailable, _settings.FailureDelay);
        }

        if (authenticated is null)
        {
            return Fail(request, authcid, "wrong password or unknown user");
        }

        if (account is not null && !SameAccount(authenticated, account))
        {
            return Fail(request, authcid,
                $"authenticated by {authenticated.Source ?? "?"} as a different account than {account.Source ?? "?"} knows");
        }

        var served = account ?? authenticated;
        if (target is not null)
        {
            var impersonated = _authorization?.Lookup(target);
            if (impersonated is null)
            {
                return Fail(request, authcid, $"cannot act as {target}: no such user in the authorization modules");
            }

            served = impersonated;
        }

        if (_access?.Check(served) is { } denial)
        {
            return Fail(request, authcid, denial);
        }

        _penalty?.RecordSuccess(request.ClientAddress, authcid);
        if (target is not null)
        {
            _log.Info("administrator {0} from {1} ({2}) acts as user {3}", authcid, request.ClientText, request.Mechanism, served.Name);
        }

        return (LoginOutcome.Success(served, target is null ? null : authcid), TimeSpan.Zero);
    }

    /// <summary>
    /// The authentication identity and, when impersonating, the user to act as, both normalized.
    /// SASL PLAIN's authzid takes precedence; otherwise "admin!user" when impersonation is configured.
    /// </summary>
    private (string Authcid, string? Target) SplitIdentities(LoginRequest request)
    {
        string authcid = request.LoginName;
        string? target = null;
        if (!string.IsNullOrEmpty(request.AuthorizationIdentity) && request.AuthorizationIdentity != request.LoginName)
        {
            target = request.AuthorizationIdentity;
        }
        else if (_settings.Impersonation.Enabled && authcid.IndexOf(_settings.Impersonation.Separator) is int at and >= 0)
        {
            target = authcid[(at + 1)..];
            authcid = authcid[..at];
            if (target.Length == 0)
            {
                target = null;
                authcid = "";
            }
        }

        authcid = authcid.Length == 0 ? authcid : _names.Normalize(authcid);
        if (target is not null)
        {
            target = _names.Normalize(target);
            if (target == authcid)
            {
                target = null;
            }
        }

        return (authcid, target);
    }

    /// <summary>Logs why (the client never learns it), counts the failure, and refuses after the (growing) delay.</summary>
    private (LoginOutcome, TimeSpan) Fail(LoginRequest request, string authcid, string reason)
    {
        string shown = authcid.Length == 0 ? request.LoginName : authcid;
        _log.Warn("authentication failed for {0} from {1} ({2}): {3}", shown, request.ClientText, request.Mechanism, reason);
        if (_penalty is null)
        {
            return (LoginOutcome.Refused, _settings.FailureDelay);
        }

        var (delay, blocked) = _penalty.RecordFailure(request.ClientAddress, shown);
        if (blocked is not null)
        {
            _log.Warn("lockout: {0}", blocked);
        }

        return (LoginOutcome.Refused, delay);
    }

    /// <summary>
    /// Whether the module that checked the password speaks of the account authorization found.
    /// PAM checks a name only; modules with their own records (system, virtual-users) must agree.
    /// </summary>
    private static bool SameAccount(UserInfo authenticated, UserInfo account) =>
        authenticated.Source == PamAuthenticator.ModuleName
        || (authenticated.Name == account.Name && authenticated.Uid == account.Uid
            && authenticated.Gid == account.Gid && authenticated.Home == account.Home);
}
