using System.Globalization;
using System.Text;
using Mono.Unix.Native;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// imap4d's UID list of one maildir, the authority for UIDs (the index is only a cache).
/// Text, like Dovecot's <c>dovecot-uidlist</c>: a header <c>1 V&lt;uidvalidity&gt; N&lt;uidnext&gt;</c>,
/// then one line <c>&lt;uid&gt; &lt;key&gt;</c> per assignment, key = the file name up to the
/// first ',' or ':'. New assignments are appended (O_APPEND + fsync) under the maildir lock, so
/// an APPEND costs one short write; the file is rewritten (temporary file + rename) only to
/// drop expunged lines. Lines never change meaning: a UID once written names one key for ever.
/// A torn last line (a crash in the middle of an append) is ignored: that append never finished.
/// </summary>
public sealed class MaildirUidList
{
    public const string FileName = "imap4d-uidlist";

    private long _inode = -1;
    private long _offset;
    private bool _tornTail;

    public uint UidValidity { get; private set; }

    public uint UidNext { get; private set; } = 1;

    /// <summary>Every assignment in the file (expunged ones too, until the next rewrite).</summary>
    public Dictionary<string, uint> Uids { get; } = new(StringComparer.Ordinal);

    /// <summary>Outcome of <see cref="Refresh"/>.</summary>
    public enum State
    {
        Ok,
        Missing,
        Corrupt,
    }

    /// <summary>Brings this object up to date with the file: reads only the appended tail when the file is the same one.</summary>
    public State Refresh(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return State.Missing;
        }

        if ((long)st.st_ino == _inode && st.st_size >= _offset)
        {
            if (st.st_size == _offset)
            {
                return State.Ok;
            }

            return ReadFrom(path, _offset, header: false);
        }

        Uids.Clear();
        UidValidity = 0;
        UidNext = 1;
        _inode = (long)st.st_ino;
        _offset = 0;
        _tornTail = false;
        return ReadFrom(path, 0, header: true);
    }

    private State ReadFrom(string path, long offset, bool header)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            stream.Position = offset;
            bytes = new byte[stream.Length - offset];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return State.Corrupt;
        }

        int lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
        _tornTail = lastNewline != bytes.Length - 1;
        string text = Encoding.UTF8.GetString(bytes, 0, lastNewline + 1);
        var rest = text.AsSpan();
        if (header)
        {
            int end = rest.IndexOf('\n');
            if (end < 0 || !ParseHeader(text[..end]))
            {
                _inode = -1;
                return State.Corrupt;
            }

            rest = rest[(end + 1)..];
        }

        // One string per key and none per line: this runs for every line at each session's first open.
        Uids.EnsureCapacity(Uids.Count + (text.Length / 40));
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf('\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.IndexOf(' ');
            if (space <= 0 || !uint.TryParse(line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                || uid == 0 || space + 1 >= line.Length)
            {
                _inode = -1;
                return State.Corrupt;
            }

            Uids[line[(space + 1)..].ToString()] = uid;
            UidNext = Math.Max(UidNext, uid + 1);
        }

        _offset = offset + lastNewline + 1;
        return State.Ok;
    }

    private bool ParseHeader(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || fields[0] != "1")
        {
            return false;
        }

        foreach (string field in fields.Skip(1))
        {
            if (field.Length < 2 || !uint.TryParse(field.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out uint value))
            {
                continue;
            }

            if (field[0] == 'V')
            {
                UidValidity = value;
            }
            else if (field[0] == 'N')
            {
                UidNext = Math.Max(value, 1);
            }
        }

        return UidValidity != 0;
    }

    /// <summary>Appends assignments (under the maildir lock) and makes them durable before returning.</summary>
    public void Append(string directory, IReadOnlyList<(uint Uid, string Key)> assignments)
    {
        if (assignments.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        if (_tornTail)
        {
            text.Append('\n');
        }

        foreach (var (uid, key) in assignments)
        {
            text.Append(CultureInfo.InvariantCulture, $"{uid} {key}\n");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        string path = Path.Combine(directory, FileName);
        using (var stream = Imap4d.Storage.State.PrivateFiles.Open(path, FileMode.Append, FileAccess.Write, bufferSize: 1, shared: true))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            if (_offset + bytes.Length == stream.Length)
            {
                _offset = stream.Length;
                _tornTail = false;
            }
        }

        foreach (var (uid, key) in assignments)
        {
            Uids[key] = uid;
            UidNext = Math.Max(UidNext, uid + 1);
        }
    }

    /// <summary>Replaces the file (temporary file + rename) with a header and the given live assignments.</summary>
    public void Rewrite(string directory, uint uidValidity, uint uidNext, IEnumerable<(uint Uid, string Key)> live)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"1 V{uidValidity} N{uidNext}\n");
        Uids.Clear();
        foreach (var (uid, key) in live.OrderBy(p => p.Uid))
        {
            text.Append(CultureInfo.InvariantCulture, $"{uid} {key}\n");
            Uids[key] = uid;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        string path = Path.Combine(directory, FileName);
        MaildirFiles.WriteAtomically(path, bytes);
        UidValidity = uidValidity;
        UidNext = Math.Max(uidNext, Uids.Count == 0 ? 1 : Uids.Values.Max() + 1);
        _inode = Syscall.stat(path, out Stat st) == 0 ? (long)st.st_ino : -1;
        _offset = bytes.Length;
        _tornTail = false;
    }

    /// <summary>
    /// For a mailbox we may read but not write: the same state as <see cref="Rewrite"/> or
    /// <see cref="Append"/> would leave, kept in memory only (UIDs then last one session).
    /// </summary>
    public void Assume(uint? uidValidity, IEnumerable<(uint Uid, string Key)> assignments)
    {
        if (uidValidity is { } validity)
        {
            UidValidity = validity;
            Uids.Clear();
        }

        foreach (var (uid, key) in assignments)
        {
            Uids[key] = uid;
            UidNext = Math.Max(UidNext, uid + 1);
        }
    }

    /// <summary>Keeps UIDNEXT at least <paramref name="uidNext"/> in memory (the file learns it at the next rewrite).</summary>
    public void RaiseUidNext(uint uidNext) => UidNext = Math.Max(UidNext, uidNext);
}
