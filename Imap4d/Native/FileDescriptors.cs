using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// The descriptor calls process hand-over needs: pipes and Unix socket pairs created
/// close-on-exec (so that no child inherits them unless a spawn maps them explicitly),
/// duplicating onto a chosen number, and closing.
/// </summary>
public static partial class FileDescriptors
{
    private const int OCloexec = 0x80000;   // O_CLOEXEC, the same value as SOCK_CLOEXEC on Linux
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockSeqPacket = 5;
    private const int FGetfl = 3;
    private const int FSetfl = 4;
    private const int ONonblock = 0x800;
    private const int FGetfd = 1;
    private const int FSetfd = 2;
    private const int FdCloexec = 1;

    /// <summary>A pipe: (read end, write end), both close-on-exec.</summary>
    public static (int Read, int Write) CreatePipe()
    {
        Span<int> fds = stackalloc int[2];
        if (pipe2(fds, OCloexec) != 0)
        {
            throw NativeError.FromLastError("pipe2");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>A connected pair of Unix stream sockets, both close-on-exec.</summary>
    public static (int First, int Second) CreateSocketPair()
    {
        Span<int> fds = stackalloc int[2];
        if (socketpair(AfUnix, SockStream | OCloexec, 0, fds) != 0)
        {
            throw NativeError.FromLastError("socketpair");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>
    /// A connected pair of Unix sequenced-packet sockets, both close-on-exec: every send is one
    /// message, received whole or not at all (the login process's channel to the daemon).
    /// </summary>
    public static (int First, int Second) CreatePacketPair()
    {
        Span<int> fds = stackalloc int[2];
        if (socketpair(AfUnix, SockSeqPacket | OCloexec, 0, fds) != 0)
        {
            throw NativeError.FromLastError("socketpair");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>
    /// Clears O_NONBLOCK, which belongs to the open file and so is shared with every process
    /// holding it: a connection handed over by a process that used it asynchronously arrives
    /// non-blocking, and a session on standard input expects a blocking one, as inetd gives.
    /// </summary>
    public static void SetBlocking(int fd)
    {
        int flags = fcntl(fd, FGetfl, 0);
        if (flags < 0 || ((flags & ONonblock) != 0 && fcntl(fd, FSetfl, flags & ~ONonblock) < 0))
        {
            throw NativeError.FromLastError("fcntl");
        }
    }

    /// <summary>Makes <paramref name="target"/> a copy of <paramref name="source"/> (not close-on-exec).</summary>
    public static void Duplicate(int source, int target)
    {
        while (dup2(source, target) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != NativeError.EINTR)
            {
                throw new NativeError("dup2", errno);
            }
        }
    }

    /// <summary>Closes <paramref name="fd"/>; errors are ignored (the descriptor is gone either way on Linux).</summary>
    public static void Close(int fd) => _ = close(fd);

    /// <summary>Sets or clears close-on-exec on <paramref name="fd"/>.</summary>
    public static void SetCloseOnExec(int fd, bool on)
    {
        int flags = fcntl(fd, FGetfd, 0);
        if (flags < 0 || fcntl(fd, FSetfd, on ? flags | FdCloexec : flags & ~FdCloexec) < 0)
        {
            throw NativeError.FromLastError("fcntl");
        }
    }

    /// <summary>Whether <paramref name="fd"/> is open and close-on-exec; null when it is not open.</summary>
    public static bool? IsCloseOnExec(int fd)
    {
        int flags = fcntl(fd, FGetfd, 0);
        return flags < 0 ? null : (flags & FdCloexec) != 0;
    }

    /// <summary>Opens /dev/null for reading and writing, close-on-exec.</summary>
    public static int OpenDevNull()
    {
        int fd = open("/dev/null", 2 | OCloexec); // O_RDWR
        return fd >= 0 ? fd : throw NativeError.FromLastError("open /dev/null");
    }

    /// <summary>
    /// Opens /dev/null on any of fds 0, 1 and 2 that is closed, so that no socket or pipe the
    /// daemon opens later lands there and reaches a child as its standard input or output.
    /// </summary>
    public static void EnsureStandardDescriptors()
    {
        for (int fd = 0; fd <= 2; fd++)
        {
            if (IsCloseOnExec(fd) is null)
            {
                int opened = open("/dev/null", 2); // O_RDWR; lands on the lowest free number
                if (opened >= 0 && opened != fd)
                {
                    Duplicate(opened, fd);
                    Close(opened);
                }
            }
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, retrying after EINTR and short writes.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint n = write(fd, data, (nuint)data.Length);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == NativeError.EINTR)
                {
                    continue;
                }

                throw new NativeError("write", errno);
            }

            data = data[(int)n..];
        }
    }

    /// <summary>
    /// <see cref="WriteAll"/> for a descriptor that may be non-blocking: when its buffer is full,
    /// waits (poll) for room, up to <paramref name="timeoutMs"/> in all.
    /// </summary>
    public static void WriteAllWaiting(int fd, ReadOnlySpan<byte> data, int timeoutMs = 5000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (!data.IsEmpty)
        {
            nint n = write(fd, data, (nuint)data.Length);
            if (n >= 0)
            {
                data = data[(int)n..];
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == NativeError.EINTR)
            {
                continue;
            }

            long left = deadline - Environment.TickCount64;
            if (errno != NativeError.EAGAIN || left <= 0)
            {
                throw new NativeError("write", errno);
            }

            var waitFor = new PollDescriptor { Fd = fd, Events = 4 }; // POLLOUT
            _ = poll(ref waitFor, 1, (int)Math.Min(left, 100));
        }
    }

    /// <summary>Reads into <paramref name="buffer"/>; 0 at end of file. Retries after EINTR.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            nint n = read(fd, buffer, (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != NativeError.EINTR)
            {
                throw new NativeError("read", errno);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(Span<int> fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socketpair(int domain, int type, int protocol, Span<int> fds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, Span<byte> buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollDescriptor fds, nuint count, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Fd;
        public short Events;
        public short Returned;
    }
}
