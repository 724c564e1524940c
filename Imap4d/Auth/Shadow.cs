using System.Runtime.InteropServices;

namespace Imap4d.Auth;

/// <summary>
/// getspnam_r(3) through P/Invoke: Mono.Posix has no shadow support. Readable only with
/// privileges (root or group shadow); otherwise the lookup reports <see cref="ShadowLookup.NotPermitted"/>.
/// </summary>
internal static unsafe partial class Shadow
{
    // "libc" alone would resolve to the libc.so linker script on glibc systems.
    private const string LibC = "libc.so.6";

    private const int ERANGE = 34;
    private const int EACCES = 13;
    private const int EPERM = 1;
    private const int ENOENT = 2;

    private const int InitialBufferSize = 1024;
    private const int MaxBufferSize = 1 << 20;

    /// <summary>struct spwd on LP64 glibc: C long is pointer-sized.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Spwd
    {
        public byte* Name;
        public byte* Password;
        public nint LastChange;
        public nint Min;
        public nint Max;
        public nint Warn;
        public nint Inactive;
        public nint Expire;
        public nuint Flag;
    }

    [LibraryImport(LibC, EntryPoint = "getspnam_r")]
    private static partial int GetSpNamR(byte* name, Spwd* entry, byte* buffer, nuint bufferLength, Spwd** result);

    public static ShadowLookup TryGet(string user, out ShadowEntry? entry)
    {
        entry = null;
        if (user.Length == 0 || user.Contains('\0'))
        {
            return ShadowLookup.NotFound;
        }
        byte[] name = System.Text.Encoding.UTF8.GetBytes(user + "\0");
        for (int size = InitialBufferSize; size <= MaxBufferSize; size *= 2)
        {
            byte[] buffer = new byte[size];
            try
            {
                Spwd spwd;
                Spwd* result = null;
                int error;
                fixed (byte* namePtr = name)
                fixed (byte* bufferPtr = buffer)
                {
                    error = GetSpNamR(namePtr, &spwd, bufferPtr, (nuint)size, &result);
                    if (error == 0 && result != null)
                    {
                        entry = new ShadowEntry(
                            Marshal.PtrToStringUTF8((nint)result->Name) ?? user,
                            Marshal.PtrToStringUTF8((nint)result->Password) ?? "",
                            result->Expire);
                        return ShadowLookup.Found;
                    }
                }
                switch (error)
                {
                    case 0 or ENOENT:
                        return ShadowLookup.NotFound;
                    case ERANGE:
                        continue;
                    case EACCES or EPERM:
                        return ShadowLookup.NotPermitted;
                    default:
                        return ShadowLookup.Error;
                }
            }
            finally
            {
                // The buffer held the hash.
                Array.Clear(buffer);
            }
        }
        return ShadowLookup.Error;
    }
}
