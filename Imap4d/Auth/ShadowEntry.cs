namespace Imap4d.Auth;

/// <summary>
/// The parts of a shadow(5) entry the login check needs. <see cref="ExpireDays"/> is the
/// account expiry in days since 1970-01-01, or -1 for none.
/// </summary>
internal sealed record ShadowEntry(string Name, string Hash, long ExpireDays)
{
    // Keep the hash out of ToString so it cannot end up in a log by accident.
    public override string ToString() => $"{Name} (expires {ExpireDays})";

    /// <summary>
    /// Expired from day <see cref="ExpireDays"/> on, as pam_unix decides; -1 (and other
    /// negative values) means "never".
    /// </summary>
    public bool IsExpired(DateTime nowUtc) =>
        ExpireDays >= 0 && DaysSinceEpoch(nowUtc) >= ExpireDays;

    private static long DaysSinceEpoch(DateTime nowUtc) =>
        (long)Math.Floor((nowUtc - DateTime.UnixEpoch).TotalDays);
}
