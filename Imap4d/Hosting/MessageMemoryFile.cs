using Imap4d.Native;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Hosting;

/// <summary>
/// A message handed between processes as a descriptor: written into a memory file by one
/// side (never a named file another user could open), read back, bounded, by the other.
/// </summary>
public static class MessageMemoryFile
{
    /// <summary>A memory file holding <paramref name="message"/>, positioned anywhere; the caller owns it.</summary>
    public static SafeFileHandle Create(ReadOnlySpan<byte> message)
    {
        var handle = MemoryFile.TryCreate("imap4d-url") ?? throw new IOException("memfd_create failed");
        try
        {
            RandomAccess.Write(handle, message, 0);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The whole content of <paramref name="fd"/> (closed here); null when it is larger than <paramref name="maxSize"/> or cannot be read.</summary>
    public static byte[]? ReadAndClose(int fd, long maxSize)
    {
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length > maxSize || length > Array.MaxLength)
            {
                return null;
            }

            var message = new byte[length];
            int done = 0;
            while (done < message.Length)
            {
                int n = RandomAccess.Read(handle, message.AsSpan(done), done);
                if (n == 0)
                {
                    return null;
                }

                done += n;
            }

            return message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
