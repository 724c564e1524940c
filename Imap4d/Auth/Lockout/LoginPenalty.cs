using System.Net;
using Imap4d.Config;

namespace Imap4d.Auth.Lockout;

/// <summary>
/// The failed-login policy over the shared records (see <see cref="LockoutSettings"/>):
/// whether an attempt is refused outright, how long a failure waits before it is answered, and
/// the per-address pacing of those answers across every connection and process.
/// </summary>
public sealed class LoginPenalty
{
    private readonly ILockoutStore _store;
    private readonly LockoutSettings _settings;
    private readonly TimeSpan _baseDelay;
    private readonly TimeProvider _clock;

    /// <param name="baseDelay">The delay of a first failure (`login-failure-delay`); it doubles with each further one.</param>
    public LoginPenalty(ILockoutStore store, LockoutSettings settings, TimeSpan baseDelay, TimeProvider? clock = null)
    {
        _store = store;
        _settings = settings;
        _baseDelay = baseDelay;
        _clock = clock ?? TimeProvider.System;
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private long Window => (long)_settings.Window.TotalMilliseconds;

    /// <summary>Why attempts of <paramref name="user"/> from <paramref name="address"/> are refused now (for the log), or null.</summary>
    public string? Refusal(IPAddress? address, string user)
    {
        long now = Now;
        if (_store.Read(LockoutKeys.ForPair(address, user))?.IsBlocked(now) == true)
        {
            return $"{user} from {LockoutKeys.ForAddress(address)} is blocked after repeated failures";
        }

        if (_store.Read(LockoutKeys.ForAddress(address))?.IsBlocked(now) == true)
        {
            return $"{LockoutKeys.ForAddress(address)} is blocked after failures for many users";
        }

        return null;
    }

    /// <summary>
    /// Counts a failure against the pair, the address and the user; returns how long it waits
    /// before it is answered and what it blocked, if anything (for the log).
    /// </summary>
    public (TimeSpan Delay, string? Blocked) RecordFailure(IPAddress? address, string user)
    {
        long now = Now;
        long until = now + (long)_settings.LockTime.TotalMilliseconds;
        string? blocked = null;
        int pair = _store.Update(LockoutKeys.ForPair(address, user), record =>
        {
            record.AddFailure(now, Window, null);
            int count = record.RecentFailures(now, Window);
            if (count >= _settings.MaxFailures)
            {
                record.Block(until);
                blocked = $"{user} from {LockoutKeys.ForAddress(address)} blocked for {_settings.LockTime} after {count} failures";
            }

            return count;
        });
        int fromAddress = _store.Update(LockoutKeys.ForAddress(address), record =>
        {
            record.AddFailure(now, Window, user);
            int count = record.RecentFailures(now, Window);
            int users = record.RecentUsers(now, Window);
            if (_settings.MaxUsers > 0 && users >= _settings.MaxUsers)
            {
                record.Block(until);
                blocked = $"{LockoutKeys.ForAddress(address)} blocked for {_settings.LockTime} after failures for {users} different users";
            }

            return count;
        });
        int forUser = _store.Update(LockoutKeys.ForUser(user), record =>
        {
            record.AddFailure(now, Window, null);
            return record.RecentFailures(now, Window);
        });
        return (DelayAfter(Math.Max(pair, Math.Max(fromAddress, forUser))), blocked);
    }

    /// <summary>A successful login forgets the pair's failures (not the address's or the user's: a valid account must not wipe out guessing at others).</summary>
    public void RecordSuccess(IPAddress? address, string user) => _store.Remove(LockoutKeys.ForPair(address, user));

    /// <summary>
    /// When a failure (or refusal) due at <paramref name="earliest"/> may be answered: no sooner
    /// than <see cref="LockoutSettings.FailureInterval"/> after the previous one of the same
    /// address, whichever connection or process answered that.
    /// </summary>
    public DateTimeOffset AnswerTime(IPAddress? address, DateTimeOffset earliest)
    {
        long interval = (long)_settings.FailureInterval.TotalMilliseconds;
        if (interval <= 0)
        {
            return earliest;
        }

        long slot = _store.Update(LockoutKeys.ForAddress(address), record =>
        {
            long at = Math.Max(earliest.ToUnixTimeMilliseconds(), record.NextAnswer);
            record.NextAnswer = at + interval;
            return at;
        });
        return DateTimeOffset.FromUnixTimeMilliseconds(slot);
    }

    /// <summary>The base delay for the first failure, doubled for each further one, at most `max-delay`.</summary>
    public TimeSpan DelayAfter(int failures)
    {
        if (failures <= 0 || _baseDelay <= TimeSpan.Zero)
        {
            return _baseDelay > TimeSpan.Zero ? _baseDelay : TimeSpan.Zero;
        }

        var delay = _baseDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        return delay < _settings.MaxDelay ? delay : TimeSpan.FromTicks(Math.Max(_settings.MaxDelay.Ticks, _baseDelay.Ticks));
    }
}
