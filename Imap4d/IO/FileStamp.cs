using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.IO;

/// <summary>
/// What stat(2) says about a file, for "re-read when it changed" caches: any difference
/// (including appearing or vanishing) means the file must be read again.
/// </summary>
internal sealed record FileStamp(int Errno, ulong Device, ulong Inode, long Size, long MTime, long MTimeNsec, long CTime, long CTimeNsec)
{
    public static FileStamp Of(string path)
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return new FileStamp((int)NativeErrno.Last, 0, 0, 0, 0, 0, 0, 0);
        }

        return new FileStamp(0, st.st_dev, st.st_ino, st.st_size, st.st_mtime, st.st_mtime_nsec, st.st_ctime, st.st_ctime_nsec);
    }
}
