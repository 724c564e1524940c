using System.Globalization;
using System.Text;

namespace Imap4d.Auth.Lockout;

/// <summary>
/// What is kept for one key (a client address, a user name, or the pair), in Unix milliseconds:
/// until when it is blocked, when the next failed login for it may be answered, and its recent
/// failures, each with a tag of the user name it was for (a short hash, so that an address's
/// record can tell how many different users failed without storing names). Text, one entry per
/// line after a header; anything unreadable is treated as an empty record.
/// </summary>
public sealed class LockoutRecord
{
    private const string Header = "imap4d-lockout 2";
    private const string NoTag = "-";

    /// <summary>Records stay small; a larger file is not ours and is read as empty.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Failures kept at most (the newest); more never change a decision.</summary>
    public const int MaxFailures = 1000;

    public long BlockedUntil { get; set; }

    public long NextAnswer { get; set; }

    public List<(long Time, string Tag)> Failures { get; } = [];

    public bool IsBlocked(long now) => BlockedUntil > now;

    /// <summary>Failures within <paramref name="window"/> before <paramref name="now"/>.</summary>
    public int RecentFailures(long now, long window) => Failures.Count(f => f.Time > now - window && f.Time <= now);

    /// <summary>How many different users failed within the window.</summary>
    public int RecentUsers(long now, long window) =>
        Failures.Where(f => f.Time > now - window && f.Time <= now && f.Tag != NoTag).Select(f => f.Tag).Distinct().Count();

    /// <summary>Counts a failure at <paramref name="now"/>, forgetting those older than <paramref name="window"/>.</summary>
    public void AddFailure(long now, long window, string? user)
    {
        Failures.RemoveAll(f => f.Time <= now - window || f.Time > now);
        Failures.Add((now, user is null ? NoTag : TagOf(user)));
        if (Failures.Count > MaxFailures)
        {
            Failures.RemoveRange(0, Failures.Count - MaxFailures);
        }
    }

    /// <summary>Blocks until <paramref name="until"/> and starts the count afresh.</summary>
    public void Block(long until)
    {
        BlockedUntil = until;
        Failures.Clear();
    }

    /// <summary>Whether the record says nothing any more (its file can go).</summary>
    public bool IsStale(long now, long window) =>
        BlockedUntil <= now && NextAnswer <= now && RecentFailures(now, window) == 0;

    public static LockoutRecord Parse(ReadOnlySpan<byte> bytes)
    {
        var record = new LockoutRecord();
        string[] lines = Encoding.ASCII.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] times = lines.Length >= 2 ? lines[1].Split(' ') : [];
        if (lines.Length < 2 || lines[0] != Header || times.Length != 2
            || !TryParse(times[0], out long until) || !TryParse(times[1], out long next))
        {
            return record;
        }

        record.BlockedUntil = until;
        record.NextAnswer = next;
        foreach (string line in lines.Skip(2).TakeLast(MaxFailures))
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 2 && TryParse(parts[0], out long time) && parts[1].Length is > 0 and <= 16)
            {
                record.Failures.Add((time, parts[1]));
            }
        }

        return record;
    }

    public byte[] Serialize()
    {
        var text = new StringBuilder(Header).Append('\n')
            .Append(BlockedUntil.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(NextAnswer.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (time, tag) in Failures)
        {
            text.Append(time.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(tag).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static string TagOf(string user) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(user.ToLowerInvariant())).AsSpan(0, 6));

    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
