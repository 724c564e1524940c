using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// Linux inotify(7): one instance is a descriptor that becomes readable when something changes
/// in a watched directory. Only the calls <see cref="Imap4d.Session.ChangeWatcher"/> needs, plus
/// poll(2) on two descriptors and statfs(2) to tell network file systems (whose remote changes
/// inotify never sees) from local ones.
/// </summary>
internal static partial class Inotify
{
    public const uint Modify = 0x2;
    public const uint Attrib = 0x4;
    public const uint MovedFrom = 0x40;
    public const uint MovedTo = 0x80;
    public const uint Create = 0x100;
    public const uint Delete = 0x200;
    public const uint DeleteSelf = 0x400;
    public const uint MoveSelf = 0x800;
    public const uint QueueOverflow = 0x4000;
    public const uint Ignored = 0x8000;
    public const uint OnlyDirectory = 0x01000000;
    public const uint ExcludeUnlinked = 0x04000000;

    /// <summary>What a mailbox watch asks for: any change of an entry's content, name or existence.</summary>
    public const uint MailboxEvents = Modify | Attrib | MovedFrom | MovedTo | Create | Delete | DeleteSelf | MoveSelf
        | OnlyDirectory | ExcludeUnlinked;

    /// <summary>sizeof(struct inotify_event) without the name.</summary>
    public const int EventHeaderSize = 16;

    private const int InCloexec = 0x80000;
    private const short PollIn = 1;

    /// <summary>A new close-on-exec inotify descriptor, or -1 with errno set (ENOSYS, EMFILE: the user's instance limit).</summary>
    public static int Init() => inotify_init1(InCloexec);

    /// <summary>The watch descriptor for <paramref name="directory"/>, or -1 with errno set.</summary>
    public static int AddWatch(int fd, string directory, uint mask) => inotify_add_watch(fd, directory, mask);

    public static void RemoveWatch(int fd, int watch) => _ = inotify_rm_watch(fd, watch);

    /// <summary>Blocks until <paramref name="first"/> or <paramref name="second"/> is readable or hung up; false on a poll error other than EINTR.</summary>
    public static bool WaitReadable(int first, int second, out bool firstReady, out bool secondReady)
    {
        Span<PollDescriptor> fds = stackalloc PollDescriptor[2];
        fds[0] = new PollDescriptor { Fd = first, Events = PollIn };
        fds[1] = new PollDescriptor { Fd = second, Events = PollIn };
        while (true)
        {
            int n = poll(ref fds[0], 2, -1);
            if (n >= 0)
            {
                firstReady = fds[0].Returned != 0;
                secondReady = fds[1].Returned != 0;
                return true;
            }

            if (Marshal.GetLastPInvokeError() != NativeError.EINTR)
            {
                firstReady = secondReady = false;
                return false;
            }
        }
    }

    /// <summary>read(2) of queued events into <paramref name="buffer"/>; the byte count, or -1 with errno set.</summary>
    public static int Read(int fd, Span<byte> buffer) => (int)read(fd, buffer, (nuint)buffer.Length);

    /// <summary>
    /// True when <paramref name="path"/> lies on a file system where other machines may change
    /// files (NFS, SMB/CIFS, FUSE, Ceph, 9p, AFS, ...): inotify sees only this machine's changes there.
    /// </summary>
    public static bool IsNetworkFileSystem(string path)
    {
        Span<long> buffer = stackalloc long[32]; // struct statfs is 120 bytes on 64-bit Linux; f_type comes first
        if (statfs(path, ref buffer[0]) != 0)
        {
            return false;
        }

        return (uint)buffer[0] switch
        {
            0x6969 or 0x517B or 0xFF534D42 or 0xFE534D42 or 0x65735546 or 0x00C36400 or 0x01021997 or 0x5346414F
                or 0x73757245 or 0x564C or 0x7461636F or 0x01161970 or 0x47504653 => true,
            _ => false,
        };
    }

    /// <summary>
    /// True when <paramref name="path"/> lies on a local disk or memory file system that stamps
    /// changes with the kernel's own clock, to its tick or finer (ext2/3/4, XFS, Btrfs, tmpfs,
    /// F2FS, ZFS, bcachefs, overlayfs): no other machine's clock and no coarser granularity than
    /// the timestamps themselves show.
    /// </summary>
    public static bool IsLocalFileSystem(string path)
    {
        Span<long> buffer = stackalloc long[32];
        if (statfs(path, ref buffer[0]) != 0)
        {
            return false;
        }

        return (uint)buffer[0] switch
        {
            0xEF53 or 0x58465342 or 0x9123683E or 0x01021994 or 0xF2F52010 or 0x2FC12FC1 or 0xCA451A4E or 0x794C7630 => true,
            _ => false,
        };
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int inotify_add_watch(int fd, string path, uint mask);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial int inotify_rm_watch(int fd, int watch);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial nint read(int fd, Span<byte> buffer, nuint count);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial int poll(ref PollDescriptor fds, nuint count, int timeout);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, ref long buffer);
}
