using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// A message file (maildir, MH) opened read-only for one sequential pass, with plain
/// open(2)/read(2): a FileStream also takes a shared flock and an fstat per open, which is a
/// third of the system calls when a client downloads a mailbox one small file after another.
/// The descriptor is owned by a <see cref="SafeFileHandle"/> (closed on dispose or finalization).
/// </summary>
public sealed partial class MessageFile : Stream
{
    private const int ORdonly = 0;
    private const int OCloexec = 0x80000;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int EACCES = 13;

    private readonly SafeFileHandle _handle;
    private long _position;

    private MessageFile(SafeFileHandle handle)
    {
        _handle = handle;
    }

    /// <summary>
    /// Opens <paramref name="path"/>; throws <see cref="FileNotFoundException"/> when it is gone
    /// (renamed or removed by another program), <see cref="UnauthorizedAccessException"/> when
    /// not permitted, <see cref="IOException"/> otherwise.
    /// </summary>
    public static MessageFile Open(string path)
    {
        int fd;
        do
        {
            fd = open(path, ORdonly | OCloexec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == NativeError.EINTR);

        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENOENT or ENOTDIR => new FileNotFoundException("No such message file", path),
                EACCES or NativeError.EPERM => new UnauthorizedAccessException("open " + path + ": permission denied"),
                _ => new NativeError("open " + path, errno),
            };
        }

        return new MessageFile(new SafeFileHandle(fd, ownsHandle: true));
    }

    public override bool CanRead => !_handle.IsClosed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        while (true)
        {
            nint n = read(_handle, buffer, (nuint)buffer.Length);
            if (n >= 0)
            {
                _position += n;
                return (int)n;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != NativeError.EINTR)
            {
                throw new NativeError("read", errno);
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }

        base.Dispose(disposing);
    }

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial nint read(SafeFileHandle fd, Span<byte> buffer, nuint count);
}
