using Imap4d.Native;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Authentication through PAM (`auth { authentication pam; } pam { service NAME; }`): the
/// service's auth and account stacks decide (pam_authenticate, then pam_acct_mgmt, as GNU
/// Mailutils' pam module; pam_setcred is not called since no login session is opened). PAM only
/// checks the name and password: the account itself comes from the authorization modules.
/// PAM calls block and may hang (a network module, a stuck helper), so each runs on its own
/// thread and is given up after the timeout; at most <see cref="MaxConcurrent"/> run at once,
/// so hung ones cannot pile up threads without bound.
/// </summary>
public sealed class PamAuthenticator : IAuthenticator
{
    public const string ModuleName = "pam";

    public const int MaxConcurrent = 16;

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly string _service;
    private readonly TimeSpan _timeout;
    private readonly Action<string> _info;
    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);

    /// <param name="info">Receives the modules' informational and error messages; defaults to NLog.</param>
    public PamAuthenticator(string service, TimeSpan timeout, Action<string>? info = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        _service = service;
        _timeout = timeout;
        _info = info ?? (message => Log.Info(message));
    }

    public string Name => ModuleName;

    public string Service => _service;

    /// <summary>Null for a wrong password, an unknown or a refused account; throws when PAM itself fails or hangs.</summary>
    public async ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Length == 0 || user.Contains('\0') || password.Contains('\0'))
        {
            return null;
        }

        if (!await _slots.WaitAsync(_timeout, ct).ConfigureAwait(false))
        {
            throw new TimeoutException($"PAM: {MaxConcurrent} authentications still running after {_timeout}");
        }

        Task<(PamClient.Result, string?)> work;
        try
        {
            work = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        return PamClient.Authenticate(_service, user, password, remoteHost: null, _info);
                    }
                    finally
                    {
                        _slots.Release();
                    }
                },
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        var finished = await Task.WhenAny(work, Task.Delay(_timeout, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (finished != work)
        {
            // The PAM thread keeps its slot until PAM returns, if ever.
            throw new TimeoutException($"PAM service {_service} did not answer within {_timeout}");
        }

        var (result, text) = await work.ConfigureAwait(false);
        switch (result)
        {
            case PamClient.Result.Accepted:
                return new UserInfo(user, "", Source: ModuleName);
            case PamClient.Result.Refused:
                Log.Info("PAM service {0} refused {1}: {2}", _service, user, text);
                return null;
            default:
                throw new InvalidOperationException($"PAM service {_service}: {text}");
        }
    }
}
