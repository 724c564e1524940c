using System.Runtime.InteropServices;

namespace Imap4d.IO;

/// <summary>realpath(3): the canonical absolute path with every symlink, "." and ".." resolved.</summary>
public static partial class RealPath
{
    /// <summary>The resolved path, or null when <paramref name="path"/> (or a link in it) does not lead to anything.</summary>
    public static string? TryGet(string path)
    {
        IntPtr resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeRealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);
}
