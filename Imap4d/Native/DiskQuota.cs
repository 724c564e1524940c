using System.Runtime.InteropServices;
using System.Text;

namespace Imap4d.Native;

/// <summary>
/// quotactl(2) Q_GETQUOTA for one user on one file system: first quotactl_fd(2) on a directory
/// of it (Linux 5.14+, works for file systems without a block device too), then quotactl(2) on
/// its device. The space figures are bytes.
/// </summary>
internal static unsafe partial class DiskQuota
{
    private const int QGetQuota = 0x800007;
    private const int UserQuota = 0;
    private const long QuotactlFdSyscall = 443; // the generic syscall number: same on x86_64 and arm64
    private const uint SpaceLimitsValid = 1;      // QIF_BLIMITS
    private const uint SpaceUsageValid = 2;       // QIF_SPACE
    private const long QuotaBlockSize = 1024;     // QIF_DQBLKSIZE: the unit of dqb_bhardlimit

    /// <summary>struct if_dqblk from linux/quota.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DqBlock
    {
        public ulong BlockHardLimit;
        public ulong BlockSoftLimit;
        public ulong CurrentSpace;
        public ulong InodeHardLimit;
        public ulong InodeSoftLimit;
        public ulong CurrentInodes;
        public ulong BlockGraceTime;
        public ulong InodeGraceTime;
        public uint Valid;
    }

    [LibraryImport(LibC.Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long fd, long command, long id, void* address);

    [LibraryImport(LibC.Name, EntryPoint = "quotactl", SetLastError = true)]
    private static partial int QuotaCtl(int command, byte* special, int id, void* address);

    /// <summary>The user's space hard limit and usage on the file system of <paramref name="directory"/>; null when it has no such limit or cannot be asked.</summary>
    public static (long UsedBytes, long LimitBytes)? SpaceOf(string directory, string? device, uint uid)
    {
        var block = new DqBlock();
        if (!ByDirectory(directory, uid, &block) && (device is null || !ByDevice(device, uid, &block)))
        {
            return null;
        }

        if ((block.Valid & SpaceLimitsValid) == 0 || block.BlockHardLimit == 0 || block.BlockHardLimit > long.MaxValue / QuotaBlockSize)
        {
            return null;
        }

        long used = (block.Valid & SpaceUsageValid) != 0 ? (long)Math.Min(block.CurrentSpace, long.MaxValue) : 0;
        return (used, (long)block.BlockHardLimit * QuotaBlockSize);
    }

    private static bool ByDirectory(string directory, uint uid, DqBlock* block)
    {
        int fd = Mono.Unix.Native.Syscall.open(directory, Mono.Unix.Native.OpenFlags.O_RDONLY | Mono.Unix.Native.OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return Syscall4(QuotactlFdSyscall, fd, QGetQuota | UserQuota, uid, block) == 0;
        }
        finally
        {
            Mono.Unix.Native.Syscall.close(fd);
        }
    }

    private static bool ByDevice(string device, uint uid, DqBlock* block)
    {
        if (device.Length == 0 || device.Contains('\0'))
        {
            return false;
        }

        byte[] name = Encoding.UTF8.GetBytes(device + "\0");
        fixed (byte* special = name)
        {
            return QuotaCtl(QGetQuota | UserQuota, special, (int)uid, block) == 0;
        }
    }
}
