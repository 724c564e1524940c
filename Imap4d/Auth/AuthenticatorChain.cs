using System.Runtime.ExceptionServices;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Tries authentication modules in the configured order; the first that accepts the
/// credentials wins. Failure delays are the session's business, not this chain's.
/// A module that throws is logged and the next one tried; if none accepts and one threw,
/// the first exception is rethrown so the session can tell "wrong password" from "broken".
/// </summary>
public sealed class AuthenticatorChain : IAuthenticator
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly Action<string> _warn;

    public AuthenticatorChain(IEnumerable<IAuthenticator> modules, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        Modules = modules.ToArray();
        _warn = warn ?? (message => Log.Warn(message));
    }

    /// <summary>
    /// Builds the chain for <c>authentication (a, b, ...)</c>; see
    /// <see cref="AuthModuleNames.Select{T}"/> for how names are resolved.
    /// </summary>
    public static AuthenticatorChain FromNames(IEnumerable<string> names, IEnumerable<IAuthenticator> available, Action<string>? warn = null)
    {
        Action<string> warnOrLog = warn ?? (message => Log.Warn(message));
        return new AuthenticatorChain(AuthModuleNames.Select(names, available, m => m.Name, warnOrLog), warnOrLog);
    }

    public IReadOnlyList<IAuthenticator> Modules { get; }

    public string Name => string.Join(",", Modules.Select(m => m.Name));

    public async ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        ExceptionDispatchInfo? firstFailure = null;
        foreach (IAuthenticator module in Modules)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                UserInfo? result = await module.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
                if (result is not null)
                {
                    return result;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _warn($"authentication module {module.Name} failed for user {user}: {e.Message}");
                firstFailure ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        firstFailure?.Throw();
        return null;
    }
}
