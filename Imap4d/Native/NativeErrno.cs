using System.Runtime.InteropServices;
using Mono.Unix.Native;

namespace Imap4d.Native;

/// <summary>
/// The errno a failed libc call left, read so that it survives being read.
/// <para>
/// Mono.Posix's <c>NativeErrno.Last</c> converts the number through a P/Invoke of its own,
/// and in the NativeAOT binary that call resets the stored error: a second read gives 0. Code
/// that asked "EACCES?" and then "ENOENT?" saw 0 the second time, and the stress runs got
/// "open .mh_sequences: 0" and "rename: 0" (a maildir file another session had just renamed)
/// as <c>NO [UNAVAILABLE]</c>. <see cref="Last"/> reads the stored value without a call;
/// Mono's <see cref="Errno"/> numbering is Linux's, so no conversion is needed.
/// </para>
/// <para>
/// A failed call never leaves errno 0, but the runtime can also lose it on the way back from the
/// call (dotnet/runtime#77364, a GC suspension): <see cref="Retry"/> repeats a failed call
/// whose errno reads 0, where the errno decides what happens next. Only failed calls are
/// repeated, so the call need not be idempotent.
/// </para>
/// </summary>
internal static class NativeErrno
{
    public const int Attempts = 4;

    /// <summary>The errno of the last libc call made through a P/Invoke declared with SetLastError.</summary>
    public static Errno Last => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>Runs <paramref name="call"/> (a libc wrapper returning &lt; 0 on failure) until it succeeds or fails with a real errno.</summary>
    public static int Retry(Func<int> call)
    {
        int result = call();
        for (int attempt = 1; result < 0 && attempt < Attempts && Last == 0; attempt++)
        {
            result = call();
        }

        return result;
    }

    /// <summary>As <see cref="Retry"/> for calls that return a handle, <see cref="IntPtr.Zero"/> on failure.</summary>
    public static IntPtr RetryHandle(Func<IntPtr> call)
    {
        IntPtr result = call();
        for (int attempt = 1; result == IntPtr.Zero && attempt < Attempts && Last == 0; attempt++)
        {
            result = call();
        }

        return result;
    }
}
