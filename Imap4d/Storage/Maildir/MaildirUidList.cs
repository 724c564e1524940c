using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;
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
/// The file last read stays open (<see cref="_file"/>): its inode number then names it and no other
/// while this object lives, so that only its appended tail is read again. A stat alone could not
/// tell: another process's rewrite frees the old inode, and ext4 gives the number to the very next
/// new file, often the rewrite after it; reading on from the old offset of that file, in the middle
/// of a line, looked like corruption (a new UIDVALIDITY) or, on a line boundary, gave wrong UIDs.
/// </summary>
public sealed class MaildirUidList : IDisposable
{
    public const string FileName = "imap4d-uidlist";

    private SafeFileHandle? _file; // the file read last, held open; null: none (the next read is a full one)
    private long _inode = -1;
    private ulong _device;
    private long _offset;
    private bool _tornTail;
    private bool _endsOnly; // read by TryReadEnds: Uids lacks the lines in between

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

        if (IsHeld(st) && st.st_size >= _offset && !_endsOnly)
        {
            if (st.st_size == _offset)
            {
                return State.Ok;
            }

            return ReadFrom(_file!, _offset, header: false);
        }

        Uids.Clear();
        UidValidity = 0;
        UidNext = 1;
        _offset = 0;
        _tornTail = false;
        _endsOnly = false;
        Close();
        SafeFileHandle? file;
        try
        {
            file = OpenCurrent(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return State.Corrupt;
        }

        if (file is null)
        {
            // Gone since the stat: only a rename replaces it (under the lock), so someone removed it.
            return State.Missing;
        }

        var state = ReadFrom(file, 0, header: true);
        if (state == State.Ok)
        {
            Hold(file);
        }
        else
        {
            file.Dispose();
        }

        return state;
    }

    /// <summary>Whether <paramref name="st"/> (a stat of the path) is the file held open: then it is the one last read.</summary>
    private bool IsHeld(in Stat st) => _file is not null && (long)st.st_ino == _inode && st.st_dev == _device;

    /// <summary>The file now at <paramref name="path"/>, open for reading; null when there is none.</summary>
    private static SafeFileHandle? OpenCurrent(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Keeps <paramref name="file"/> open as the one read last (identified by its own inode, not the path's).</summary>
    private void Hold(SafeFileHandle file)
    {
        if (Syscall.fstat((int)file.DangerousGetHandle(), out Stat own) != 0)
        {
            file.Dispose();
            Close();
            return;
        }

        if (!ReferenceEquals(file, _file))
        {
            _file?.Dispose();
        }

        _file = file;
        _inode = (long)own.st_ino;
        _device = own.st_dev;
    }

    /// <summary>Lets the file go: the next read is a full one.</summary>
    public void Close()
    {
        _file?.Dispose();
        _file = null;
        _inode = -1;
    }

    public void Dispose() => Close();

    /// <summary>Bytes read from the end of the file by <see cref="TryReadEnds"/>: many lines (a line is a UID and a short key).</summary>
    private const int EndsBytes = 4096;

    /// <summary>
    /// For an APPEND that needs UIDVALIDITY and UIDNEXT only (a delivery): reads the header and the
    /// last lines instead of every assignment (an LDA process would otherwise parse the whole list,
    /// 10,000 lines for a 10,000-message maildir, for each message it stores). UIDs only grow down
    /// the file (appends under the lock, rewrites in UID order), so the last lines hold the
    /// highest. <see cref="Uids"/> is not filled; the next <see cref="Refresh"/> reads everything.
    /// False, with nothing changed, when the file is missing or its ends do not parse.
    /// </summary>
    public bool TryReadEnds(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return false;
        }

        if (IsHeld(st) && st.st_size >= _offset)
        {
            return (st.st_size == _offset || ReadFrom(_file!, _offset, header: false) == State.Ok) && UidValidity != 0;
        }

        byte[] head, tail;
        long tailStart;
        SafeFileHandle? file = null;
        try
        {
            file = OpenCurrent(path);
            if (file is null)
            {
                return false;
            }

            long length = RandomAccess.GetLength(file);
            head = ReadAt(file, 0, (int)Math.Min(length, 256));
            tailStart = Math.Max(0, length - EndsBytes);
            tail = ReadAt(file, tailStart, (int)(length - tailStart));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            return false;
        }

        int headerEnd = Array.IndexOf(head, (byte)'\n');
        var saved = (UidValidity, UidNext);
        UidValidity = 0;
        UidNext = 1;
        if (headerEnd < 0 || !ParseHeader(Encoding.UTF8.GetString(head, 0, headerEnd)))
        {
            (UidValidity, UidNext) = saved;
            file.Dispose();
            return false;
        }

        int lastNewline = Array.LastIndexOf(tail, (byte)'\n');
        // The tail's first line is cut unless it begins the file, where it is the header.
        int from = Array.IndexOf(tail, (byte)'\n') + 1;
        if (lastNewline < 0 || !TryRaiseUidNext(tail.AsSpan(from, lastNewline + 1 - from)))
        {
            (UidValidity, UidNext) = saved;
            file.Dispose();
            return false;
        }

        Uids.Clear();
        Hold(file);
        _offset = tailStart + lastNewline + 1;
        _tornTail = lastNewline != tail.Length - 1;
        _endsOnly = true;
        return true;
    }

    private static byte[] ReadAt(SafeFileHandle file, long offset, int count)
    {
        var bytes = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = RandomAccess.Read(file, bytes.AsSpan(done), offset + done);
            if (n == 0)
            {
                return bytes[..done];
            }

            done += n;
        }

        return bytes;
    }

    /// <summary>UIDNEXT above every UID on the given complete lines; false on a line that is not "UID KEY".</summary>
    private bool TryRaiseUidNext(ReadOnlySpan<byte> lines)
    {
        while (!lines.IsEmpty)
        {
            int end = lines.IndexOf((byte)'\n');
            var line = lines[..end];
            lines = lines[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            int space = line.IndexOf((byte)' ');
            if (space <= 0 || !uint.TryParse(line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                || uid == 0 || space + 1 >= line.Length)
            {
                return false;
            }

            UidNext = Math.Max(UidNext, uid + 1);
        }

        return true;
    }

    /// <summary>Reads <paramref name="file"/> from <paramref name="offset"/> to its end (the file itself, not whatever the path names now).</summary>
    private State ReadFrom(SafeFileHandle file, long offset, bool header)
    {
        byte[] bytes;
        try
        {
            long length = RandomAccess.GetLength(file);
            bytes = length <= offset ? [] : ReadAt(file, offset, checked((int)(length - offset)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Close();
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
                Close();
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
                Close();
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

        string path = Path.Combine(directory, FileName);
        bool separate = _tornTail && !DropTornTail(path);
        byte[] bytes = Lines(assignments, separate);
        using (var stream = Imap4d.Storage.State.PrivateFiles.Open(path, FileMode.Append, FileAccess.Write, bufferSize: 1, shared: true))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            if (Syscall.fstat((int)stream.SafeFileHandle.DangerousGetHandle(), out Stat own) != 0 || !IsHeld(own))
            {
                Close(); // not the file read last: the next Refresh reads this one in full
            }
            else if (_offset + bytes.Length == stream.Length)
            {
                _offset = stream.Length;
                _tornTail = false;
            }
        }

        Uids.EnsureCapacity(Uids.Count + assignments.Count);
        foreach (var (uid, key) in assignments)
        {
            Uids[key] = uid;
            UidNext = Math.Max(UidNext, uid + 1);
        }
    }

    /// <summary>
    /// "UID KEY\n" per assignment as UTF-8 (after a newline when <paramref name="newlineFirst"/>),
    /// written straight into one array of the exact size: no text builder and no second copy (the
    /// first SELECT of a large maildir appends a line for every message).
    /// </summary>
    private static byte[] Lines(IReadOnlyList<(uint Uid, string Key)> assignments, bool newlineFirst)
    {
        int length = newlineFirst ? 1 : 0;
        foreach (var (uid, key) in assignments)
        {
            length += Digits(uid) + 2 + (Ascii.IsValid(key) ? key.Length : Encoding.UTF8.GetByteCount(key));
        }

        var bytes = new byte[length];
        int at = 0;
        if (newlineFirst)
        {
            bytes[at++] = (byte)'\n';
        }

        foreach (var (uid, key) in assignments)
        {
            uid.TryFormat(bytes.AsSpan(at), out int digits, default, CultureInfo.InvariantCulture);
            at += digits;
            bytes[at++] = (byte)' ';
            Utf8.FromUtf16(key, bytes.AsSpan(at), out _, out int written);
            at += written;
            bytes[at++] = (byte)'\n';
        }

        return bytes;

        static int Digits(uint value)
        {
            int count = 1;
            while (value >= 10)
            {
                value /= 10;
                count++;
            }

            return count;
        }
    }

    /// <summary>
    /// Cuts a torn last line (an append that crashed before its newline) off the file, under the
    /// maildir lock, so that the next append does not turn a fragment such as "40" into a line of
    /// its own, which a full read would take for corruption (and answer with a new UIDVALIDITY).
    /// Only when the fragment is still all that follows the last complete line we read.
    /// </summary>
    private bool DropTornTail(string path)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (Syscall.fstat((int)file.DangerousGetHandle(), out Stat own) != 0 || !IsHeld(own))
            {
                return false; // another file than the one whose end we know
            }

            long length = RandomAccess.GetLength(file);
            if (length <= _offset || length - _offset > 64 * 1024)
            {
                return false;
            }

            var fragment = ReadAt(file, _offset, (int)(length - _offset));
            if (Array.IndexOf(fragment, (byte)'\n') >= 0)
            {
                return false;
            }

            RandomAccess.SetLength(file, _offset);
            _tornTail = false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
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
        Close();
        MaildirFiles.WriteAtomically(path, bytes);
        UidValidity = uidValidity;
        UidNext = Math.Max(uidNext, Uids.Count == 0 ? 1 : Uids.Values.Max() + 1);
        _offset = bytes.Length;
        _tornTail = false;
        _endsOnly = false;
        try
        {
            // Under the lock nobody replaces it in between; were it another (a foreign program), its size tells.
            if (OpenCurrent(path) is { } file)
            {
                if (RandomAccess.GetLength(file) == bytes.Length)
                {
                    Hold(file);
                }
                else
                {
                    file.Dispose();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not held: the next Refresh reads the file in full.
        }
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
