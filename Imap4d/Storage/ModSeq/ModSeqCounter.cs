using System.Globalization;
using System.Text;
using Imap4d.Storage.State;
using NLog;

namespace Imap4d.Storage.ModSeq;

/// <summary>
/// The durable side of a mailbox's modification sequences (RFC 7162 CONDSTORE): a tiny file beside
/// the index holding the highest MODSEQ handed out and a ceiling above it. The index is a cache and
/// may be lost; the ceiling is written and fsynced before any MODSEQ reaches it, so an index
/// rebuilt from the mail starts at the ceiling and no MODSEQ ever goes backwards under the same
/// UIDVALIDITY. The ceiling moves a million ahead at a time: one fsync per million changes.
/// <para>The highest value is also how sessions in different processes share the counter where
/// the index is not saved at every change (maildir): read under the mailbox lock before a change,
/// written before the lock is released. Without a file (no private place for state) nothing is
/// durable: the mailbox answers NOMODSEQ.</para>
/// <para>When even this file is lost while the mailbox keeps its UIDVALIDITY (it lives in the mail
/// itself: mbox X-IMAPbase, maildir UID list, MH .mu-prop), the floor is the time: 2^20 per second
/// since 1970, which no counter that started at 1 can have passed (a million changes a second).</para>
/// </summary>
public sealed class ModSeqCounter
{
    /// <summary>How far the durable ceiling runs ahead of the highest MODSEQ.</summary>
    public const ulong Reservation = 1 << 20;

    private const int Digits = 20;
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private ulong _highestWritten;
    private ulong _ceiling;

    /// <param name="path">The counter file; null for a mailbox without a place for durable state.</param>
    public ModSeqCounter(string? path)
    {
        Path = string.IsNullOrEmpty(path) ? null : path;
    }

    public string? Path { get; }

    public bool Durable => Path is not null;

    /// <summary>A MODSEQ above every one handed out since 1970 by a counter that started at 1.</summary>
    public static ulong TimeFloor() => (ulong)Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds()) << 20;

    /// <summary>
    /// Where a mailbox whose index is rebuilt must start: the ceiling on file; without the file,
    /// the time floor when the mailbox kept its UIDVALIDITY (<paramref name="validityKept"/>), else 1.
    /// </summary>
    public ulong RecoveryFloor(bool validityKept)
    {
        var (highest, ceiling) = Read();
        if (ceiling > 0)
        {
            return Math.Max(highest, ceiling);
        }

        return validityKept ? TimeFloor() : 1;
    }

    /// <summary>The highest MODSEQ another session wrote (0 when none): read under the mailbox lock.</summary>
    public ulong Highest()
    {
        var (highest, _) = Read();
        return highest;
    }

    /// <summary>
    /// Records <paramref name="highest"/> (under the mailbox lock, before anyone sees it): the file is
    /// rewritten when the value grew, and fsynced when the ceiling must move.
    /// </summary>
    public void Publish(ulong highest)
    {
        if (Path is null || highest <= _highestWritten)
        {
            return;
        }

        try
        {
            // Read first: another process may have moved either value since we last wrote.
            var (onFile, _) = Read();
            if (onFile >= highest)
            {
                _highestWritten = onFile;
                return;
            }

            bool moveCeiling = highest >= _ceiling;
            ulong ceiling = moveCeiling ? highest + Reservation : _ceiling;
            string? directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
            {
                throw new IOException("cannot make a private directory " + directory);
            }

            byte[] line = Encoding.ASCII.GetBytes(Format(highest) + " " + Format(ceiling) + "\n");
            using (var stream = PrivateFiles.Open(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, 1))
            {
                RandomAccess.Write(stream.SafeFileHandle, line, 0);
                if (moveCeiling)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            _highestWritten = highest;
            _ceiling = ceiling;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot write the modseq counter {0}", Path);
        }
    }

    private static string Format(ulong value) => value.ToString("D" + Digits, CultureInfo.InvariantCulture);

    private (ulong Highest, ulong Ceiling) Read()
    {
        if (Path is null)
        {
            return (0, 0);
        }

        try
        {
            Span<byte> buffer = stackalloc byte[2 * Digits + 2];
            using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read);
            int read = RandomAccess.Read(handle, buffer, 0);
            string text = Encoding.ASCII.GetString(buffer[..read]);
            string[] parts = text.TrimEnd('\n').Split(' ');
            if (parts.Length == 2
                && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong highest)
                && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong ceiling))
            {
                _ceiling = Math.Max(_ceiling, ceiling);
                return (highest, ceiling);
            }

            Log.Warn("modseq counter {0} is damaged; ignored", Path);
            return (0, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }
}
