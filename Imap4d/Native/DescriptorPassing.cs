using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// Sends an open file descriptor over a Unix socket (SCM_RIGHTS, unix(7)): the receiver gets
/// its own descriptor for the same open file. One data byte travels with it, because a
/// message without data cannot carry ancillary data on a stream socket.
/// </summary>
public static unsafe partial class DescriptorPassing
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int MsgDontWait = 0x40;
    private const int MsgTrunc = 0x20;
    private const int MsgCtrunc = 0x08;

    /// <summary>Sends <paramref name="fd"/> and the byte <paramref name="tag"/> over <paramref name="socket"/>.</summary>
    /// <exception cref="NativeError">sendmsg failed (EPIPE when the peer is gone, EAGAIN when its buffer is full).</exception>
    public static void Send(int socket, int fd, byte tag)
    {
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        var header = (CmsgHeader*)control;
        header->Length = (nuint)(sizeof(CmsgHeader) + sizeof(int));
        header->Level = SolSocket;
        header->Type = ScmRights;
        *(int*)(control + sizeof(CmsgHeader)) = fd;

        var iov = new IoVector { Base = &tag, Length = 1 };
        var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)ControlSpace };
        while (sendmsg(socket, &message, MsgNoSignal) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != NativeError.EINTR)
            {
                throw new NativeError("sendmsg", errno);
            }
        }
    }

    /// <summary>
    /// Receives one byte and the descriptor sent with it, if any (close-on-exec in this process).
    /// Returns false at end of file (the peer closed); <paramref name="fd"/> is -1 when the byte
    /// came without a descriptor.
    /// </summary>
    public static bool Receive(int socket, out byte tag, out int fd)
    {
        byte* control = stackalloc byte[ControlSpace];
        byte data = 0;
        var iov = new IoVector { Base = &data, Length = 1 };
        while (true)
        {
            new Span<byte>(control, ControlSpace).Clear();
            var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)ControlSpace };
            nint n = recvmsg(socket, &message, MsgCmsgCloexec);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == NativeError.EINTR)
                {
                    continue;
                }

                throw new NativeError("recvmsg", errno);
            }

            tag = data;
            fd = -1;
            if (n == 0)
            {
                return false;
            }

            var header = (CmsgHeader*)control;
            if (message.ControlLength >= (nuint)sizeof(CmsgHeader)
                && header->Level == SolSocket && header->Type == ScmRights
                && header->Length >= (nuint)(sizeof(CmsgHeader) + sizeof(int)))
            {
                fd = *(int*)(control + sizeof(CmsgHeader));
            }

            return true;
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/> as one message on a sequenced-packet socket, with
    /// <paramref name="fd"/> attached unless it is negative. With <paramref name="dontWait"/>
    /// a full peer buffer fails at once (EAGAIN) instead of blocking.
    /// </summary>
    /// <exception cref="NativeError">sendmsg failed.</exception>
    public static void SendPacket(int socket, ReadOnlySpan<byte> data, int fd, bool dontWait = false)
    {
        byte* control = stackalloc byte[ControlSpace];
        new Span<byte>(control, ControlSpace).Clear();
        if (fd >= 0)
        {
            var header = (CmsgHeader*)control;
            header->Length = (nuint)(sizeof(CmsgHeader) + sizeof(int));
            header->Level = SolSocket;
            header->Type = ScmRights;
            *(int*)(control + sizeof(CmsgHeader)) = fd;
        }

        fixed (byte* bytes = data)
        {
            var iov = new IoVector { Base = bytes, Length = (nuint)data.Length };
            var message = new MessageHeader
            {
                Iov = &iov,
                IovLength = 1,
                Control = fd >= 0 ? control : null,
                ControlLength = fd >= 0 ? (nuint)ControlSpace : 0,
            };
            while (sendmsg(socket, &message, MsgNoSignal | (dontWait ? MsgDontWait : 0)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != NativeError.EINTR)
                {
                    throw new NativeError("sendmsg", errno);
                }
            }
        }
    }

    /// <summary>
    /// Receives one message from a sequenced-packet socket into <paramref name="buffer"/>, and
    /// the descriptor sent with it, if any (close-on-exec). Returns its length, 0 at end of file.
    /// A message longer than the buffer, or with more descriptors than one, is refused whole:
    /// what came with it is closed and <paramref name="truncated"/> is set.
    /// </summary>
    public static int ReceivePacket(int socket, Span<byte> buffer, out int fd, out bool truncated)
    {
        // Room for a few descriptors, so that a sender attaching too many cannot leak them into us.
        const int slots = 8;
        int space = sizeof(CmsgHeader) + (((slots * sizeof(int)) + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1));
        byte* control = stackalloc byte[space];
        fixed (byte* bytes = buffer)
        {
            while (true)
            {
                new Span<byte>(control, space).Clear();
                var iov = new IoVector { Base = bytes, Length = (nuint)buffer.Length };
                var message = new MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
                nint n = recvmsg(socket, &message, MsgCmsgCloexec);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == NativeError.EINTR)
                    {
                        continue;
                    }

                    throw new NativeError("recvmsg", errno);
                }

                fd = -1;
                truncated = (message.Flags & (MsgTrunc | MsgCtrunc)) != 0;
                var header = (CmsgHeader*)control;
                if (message.ControlLength >= (nuint)sizeof(CmsgHeader)
                    && header->Level == SolSocket && header->Type == ScmRights
                    && header->Length >= (nuint)(sizeof(CmsgHeader) + sizeof(int)))
                {
                    int count = (int)((header->Length - (nuint)sizeof(CmsgHeader)) / sizeof(int));
                    int* fds = (int*)(control + sizeof(CmsgHeader));
                    fd = fds[0];
                    for (int i = 1; i < count && i < slots; i++)
                    {
                        Imap4d.Native.FileDescriptors.Close(fds[i]);
                        truncated = true;
                    }
                }

                if (truncated && fd >= 0)
                {
                    Imap4d.Native.FileDescriptors.Close(fd);
                    fd = -1;
                }

                return (int)n;
            }
        }
    }

    /// <summary>CMSG_SPACE(sizeof(int)): the header plus one int, rounded up to the alignment of size_t.</summary>
    private static int ControlSpace => sizeof(CmsgHeader) + ((sizeof(int) + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1));

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr as glibc lays it out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr; the data follows it (its size is already a multiple of size_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendmsg(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int socket, MessageHeader* message, int flags);
}
