using System.Globalization;
using System.Text;

namespace Imap4d.Auth.Lockout;

/// <summary>
/// The counter of one key as kept in its file: the time it is locked until and the times of
/// recent failures, in Unix milliseconds. Text, one number per line after a header; anything
/// unreadable is treated as an empty record.
/// </summary>
internal sealed class LockoutRecord
{
    private const string Header = "imap4d-lockout 1";

    /// <summary>Records are tiny; a larger file is not ours and is read as empty.</summary>
    public const int MaxBytes = 16 * 1024;

    public long LockedUntil { get; set; }

    public List<long> Failures { get; } = [];

    public static LockoutRecord Parse(ReadOnlySpan<byte> bytes)
    {
        var record = new LockoutRecord();
        string[] lines = Encoding.ASCII.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0] != Header || !TryParse(lines[1], out long until))
        {
            return record;
        }

        record.LockedUntil = until;
        foreach (string line in lines.Skip(2))
        {
            if (TryParse(line, out long time))
            {
                record.Failures.Add(time);
            }
        }

        return record;
    }

    public byte[] Serialize()
    {
        var text = new StringBuilder(Header).Append('\n').Append(LockedUntil.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (long time in Failures)
        {
            text.Append(time.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>
    /// Counts a failure at <paramref name="now"/>: failures older than <paramref name="window"/>
    /// are dropped; reaching <paramref name="maxFailures"/> locks until now + <paramref name="lockTime"/>
    /// and starts the count afresh. True when this failure locked the key.
    /// </summary>
    public bool AddFailure(long now, long window, long lockTime, int maxFailures)
    {
        Failures.RemoveAll(time => time <= now - window || time > now);
        Failures.Add(now);
        if (Failures.Count < maxFailures)
        {
            return false;
        }

        LockedUntil = now + lockTime;
        Failures.Clear();
        return true;
    }

    public bool IsLocked(long now) => LockedUntil > now;

    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
