using Mono.Unix.Native;

namespace Imap4d.Storage;

/// <summary>
/// Save dates (RFC 8514) that the file system keeps: the status-change time of a message file,
/// which is when it was written or linked into its folder (later only by a rename, chmod or
/// link of that file, which our MH and maildir folders do not do to a message after storing it:
/// MH keeps flags in .mh_sequences; see the maildir driver for its file names).
/// </summary>
public static class SaveDates
{
    /// <summary>The ctime of <paramref name="path"/>, in UTC; null when the file is gone.</summary>
    public static DateTimeOffset? OfFile(string path) =>
        Syscall.stat(path, out Stat st) == 0 ? DateTimeOffset.FromUnixTimeSeconds(st.st_ctime) : null;
}
