using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// An anonymous file in memory (memfd_create(2), close-on-exec): a spooled message that can be
/// handed to another process as a descriptor without a name in any directory or a disk write.
/// </summary>
public static partial class MemoryFile
{
    private const uint MfdCloexec = 1;

    /// <summary>A new empty memory file; null where the kernel has none (then use a temporary file).</summary>
    public static SafeFileHandle? TryCreate(string name)
    {
        int fd = memfd_create(name, MfdCloexec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);
}
