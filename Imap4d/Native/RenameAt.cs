using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// renameat(2) between two open directories: a STORE on every message of a maildir renames
/// thousands of files in cur/, and naming them relative to the open directory spares the
/// kernel a walk of the whole path twice per file (and the binding a copy of both paths).
/// </summary>
public static partial class RenameAt
{
    private const int ENOENT = 2;

    /// <summary>Renames; false when <paramref name="from"/> is gone. Other failures throw <see cref="NativeError"/>.</summary>
    public static bool TryRename(SafeFileHandle fromDirectory, string from, SafeFileHandle toDirectory, string to)
    {
        if (renameat(fromDirectory, from, toDirectory, to) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == ENOENT ? false : throw new NativeError("renameat", errno);
    }

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat(SafeFileHandle olddirfd, string oldpath, SafeFileHandle newdirfd, string newpath);
}
