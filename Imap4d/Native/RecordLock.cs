using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace Imap4d.Native;

/// <summary>
/// Whole-file fcntl record locks taken as open-file-description locks (F_OFD_SETLK, Linux
/// 3.15 and later) where the kernel has them, classic POSIX record locks otherwise. Both
/// kinds conflict with each other, so other programs (mutt, procmail, nmh) that take classic
/// locks are excluded as before. OFD locks belong to the descriptor, not the process: two
/// sessions served by one process exclude each other, and one session closing its own
/// descriptor of a file does not silently drop the lock another session holds on it, which
/// POSIX record locks do.
/// </summary>
public static unsafe partial class RecordLock
{
    private const int FGetlk = 5;
    private const int FSetlk = 6;
    private const int FSetlkw = 7;
    private const int FOfdGetlk = 36;
    private const int FOfdSetlk = 37;
    private const int FOfdSetlkw = 38;
    private const short SeekSet = 0;

    private static volatile bool _ofdUnsupported;

    /// <summary>Whether locks are taken per open file description (false: per process, the old way).</summary>
    public static bool PerDescriptor => !_ofdUnsupported;

    /// <summary>
    /// Sets (or with <see cref="LockType.F_UNLCK"/> releases) a lock on the whole of <paramref name="fd"/>;
    /// with <paramref name="wait"/> blocks until it is granted. Returns 0 or the errno
    /// (EAGAIN or EACCES: held by someone else; EINTR: interrupted).
    /// </summary>
    public static Errno Set(int fd, LockType type, bool wait = false)
    {
        var request = WholeFile(type);
        if (!_ofdUnsupported)
        {
            if (fcntl(fd, wait ? FOfdSetlkw : FOfdSetlk, &request) == 0)
            {
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != (int)NativeConvert.FromErrno(Errno.EINVAL))
            {
                return (Errno)errno;
            }

            _ofdUnsupported = true; // a kernel before 3.15
            request = WholeFile(type);
        }

        return fcntl(fd, wait ? FSetlkw : FSetlk, &request) == 0 ? 0 : (Errno)Marshal.GetLastPInvokeError();
    }

    /// <summary>The pid of a process holding a lock that conflicts with <paramref name="wanted"/>; 0 when none or unknown
    /// (an OFD lock has no owning process).</summary>
    public static int Holder(int fd, LockType wanted)
    {
        var probe = WholeFile(wanted);
        int command = _ofdUnsupported ? FGetlk : FOfdGetlk;
        if (fcntl(fd, command, &probe) != 0 || probe.Type == (short)NativeConvert.FromLockType(LockType.F_UNLCK))
        {
            return 0;
        }

        return Math.Max(0, probe.Pid);
    }

    private static NativeFlock WholeFile(LockType type) => new()
    {
        Type = (short)NativeConvert.FromLockType(type),
        Whence = SeekSet,
        Start = 0,
        Length = 0,
        Pid = 0, // must be 0 for OFD commands
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct NativeFlock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial int fcntl(int fd, int command, NativeFlock* request);
}
