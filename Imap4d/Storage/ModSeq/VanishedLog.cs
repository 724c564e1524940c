using System.Globalization;
using System.Text;
using Imap4d.Storage.State;
using NLog;

namespace Imap4d.Storage.ModSeq;

/// <summary>
/// The UIDs expunged from a mailbox with the MODSEQ at which they went (RFC 7162 QRESYNC), so a
/// client back after weeks learns exactly which of its messages vanished. A text file beside the
/// index: a header <c>imap4d-vanished 1 UIDVALIDITY SINCE</c> — the record is complete for changes
/// above SINCE — then one line per expunge, <c>MODSEQ UID-SET</c>, appended and fsynced before
/// the expunge is reported. Past <see cref="MaxEntries"/> lines the oldest half is merged ten lines
/// into one (the later MODSEQ, the union of the UIDs): a client whose MODSEQ falls inside a merged
/// group then also hears of UIDs it already knew were gone, which the RFC allows.
/// A question the record cannot answer (other UIDVALIDITY, older than SINCE, no file) gets null;
/// the caller then answers with the conservative superset.
/// </summary>
public sealed class VanishedLog
{
    public const int MaxEntries = 1000;
    private const string Magic = "imap4d-vanished";
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <param name="path">The file; null to keep the record in memory (lost with the process).</param>
    public VanishedLog(string? path)
    {
        Path = string.IsNullOrEmpty(path) ? null : path;
    }

    public string? Path { get; }

    private (uint Validity, ulong Since, List<(ulong ModSeq, UidSet Uids)> Entries)? _memory;

    /// <summary>Notes that <paramref name="uids"/> were expunged at <paramref name="modSeq"/> (under the mailbox lock).</summary>
    public void Record(uint uidValidity, ulong modSeq, IReadOnlyCollection<uint> uids)
    {
        if (uids.Count == 0)
        {
            return;
        }

        var line = modSeq.ToString(CultureInfo.InvariantCulture) + " " + UidSet.Of(uids) + "\n";
        if (Path is null)
        {
            if (_memory is not { } m || m.Validity != uidValidity)
            {
                // Kept in memory, the record lives exactly as long as the mailbox: complete from the start.
                _memory = (uidValidity, 0, []);
            }

            _memory.Value.Entries.Add((modSeq, UidSet.Of(uids)));
            return;
        }

        try
        {
            var current = Load();
            if (current is null || current.Value.Validity != uidValidity)
            {
                // No record yet (or of an older UIDVALIDITY): complete from just before this expunge.
                Write(uidValidity, modSeq - 1, []);
            }
            else if (current.Value.Entries.Count >= MaxEntries)
            {
                Write(uidValidity, current.Value.Since, Compact(current.Value.Entries));
            }

            using var stream = PrivateFiles.Open(Path, FileMode.Append, FileAccess.Write, 1);
            stream.Write(Encoding.ASCII.GetBytes(line));
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without the record, clients get the superset: correct, only larger.
            Log.Warn(e, "cannot record expunged UIDs in {0}", Path);
            TryForget(uidValidity, modSeq);
        }
    }

    /// <summary>
    /// Notes that what was expunged up to <paramref name="modSeq"/> is unknown (the index was rebuilt
    /// and expunges made meanwhile went unseen, or the record failed).
    /// </summary>
    public void HistoryLost(uint uidValidity, ulong modSeq)
    {
        if (Path is null)
        {
            _memory = (uidValidity, modSeq, []);
            return;
        }

        TryForget(uidValidity, modSeq);
    }

    /// <summary>
    /// The UIDs expunged at a MODSEQ above <paramref name="modSeq"/>; null when the record does not
    /// reach back that far (or is of another UIDVALIDITY).
    /// </summary>
    public UidSet? Since(uint uidValidity, ulong modSeq)
    {
        var current = Path is null ? _memory : Load();
        if (current is not { } log || log.Validity != uidValidity || modSeq < log.Since)
        {
            return null;
        }

        var result = new UidSet();
        foreach (var (at, uids) in log.Entries)
        {
            if (at > modSeq)
            {
                result.UnionWith(uids);
            }
        }

        return result;
    }

    private void TryForget(uint uidValidity, ulong modSeq)
    {
        try
        {
            Write(uidValidity, modSeq, []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot reset {0}", Path);
            try
            {
                File.Delete(Path!);
            }
            catch (Exception e2) when (e2 is IOException or UnauthorizedAccessException)
            {
                Log.Error(e2, "cannot remove {0}: QRESYNC answers may miss expunges", Path);
            }
        }
    }

    private static List<(ulong, UidSet)> Compact(List<(ulong ModSeq, UidSet Uids)> entries)
    {
        int old = entries.Count / 2;
        var result = new List<(ulong, UidSet)>();
        for (int i = 0; i < old; i += 10)
        {
            var union = new UidSet();
            ulong last = 0;
            for (int j = i; j < Math.Min(i + 10, old); j++)
            {
                union.UnionWith(entries[j].Uids);
                last = entries[j].ModSeq;
            }

            result.Add((last, union));
        }

        result.AddRange(entries.Skip(old));
        return result;
    }

    private void Write(uint uidValidity, ulong since, List<(ulong ModSeq, UidSet Uids)> entries)
    {
        string? directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
        {
            throw new IOException("cannot make a private directory " + directory);
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Magic} 1 {uidValidity} {since}\n");
        foreach (var (modSeq, uids) in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{modSeq} {uids}\n");
        }

        string temp = Path + ".tmp." + Environment.ProcessId;
        using (var stream = PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path!, overwrite: true);
    }

    private (uint Validity, ulong Since, List<(ulong ModSeq, UidSet Uids)> Entries)? Load()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path!, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (lines.Length == 0)
        {
            return null;
        }

        string[] header = lines[0].Split(' ');
        if (header.Length != 4 || header[0] != Magic || header[1] != "1"
            || !uint.TryParse(header[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint validity)
            || !ulong.TryParse(header[3], NumberStyles.None, CultureInfo.InvariantCulture, out ulong since))
        {
            return null;
        }

        var entries = new List<(ulong, UidSet)>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            string[] parts = lines[i].Split(' ');
            if (parts.Length != 2 || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong modSeq)
                || !UidSet.TryParse(parts[1], out var uids))
            {
                // A torn last line (crash while appending): the expunge it described was never reported.
                if (i == lines.Length - 1)
                {
                    break;
                }

                return null;
            }

            entries.Add((modSeq, uids));
        }

        return (validity, since, entries);
    }
}
