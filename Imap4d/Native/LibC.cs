using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>The C library and its allocator, shared by the other native wrappers.</summary>
internal static unsafe partial class LibC
{
    // "libc" alone would resolve to the libc.so linker script on glibc systems.
    public const string Name = "libc.so.6";

    /// <summary>calloc(3): zeroed memory the C side may free() (PAM frees conversation replies).</summary>
    [LibraryImport(Name, EntryPoint = "calloc")]
    public static partial void* Calloc(nuint count, nuint size);

    [LibraryImport(Name, EntryPoint = "free")]
    public static partial void Free(void* pointer);

    /// <summary>A malloc'ed, NUL-terminated UTF-8 copy of <paramref name="text"/>; null when out of memory.</summary>
    public static byte* AllocCString(string text)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(text);
        byte* copy = (byte*)Calloc((nuint)length + 1, 1);
        if (copy != null)
        {
            System.Text.Encoding.UTF8.GetBytes(text, new Span<byte>(copy, length));
        }

        return copy;
    }
}
