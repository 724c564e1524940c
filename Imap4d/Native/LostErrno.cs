using Mono.Unix.Native;

namespace Imap4d.Native;

/// <summary>
/// A failed libc call never leaves errno 0, but the runtime can lose it: a thread that meets a GC
/// suspension on its way back from the call may find errno overwritten (dotnet/runtime#77364).
/// A user process runs many sessions' threads, and the 50-client stress run got
/// "open .mh_sequences: 0" — an ENOENT that should have meant "no sequences yet".
/// Calls whose errno decides what happens next (ENOENT: gone, EACCES: read only, EEXIST: taken)
/// go through <see cref="Retry"/>, which repeats a failed call whose errno came back 0.
/// Only failed calls are repeated, so the call need not be idempotent.
/// </summary>
internal static class LostErrno
{
    public const int Attempts = 4;

    /// <summary>Runs <paramref name="call"/> (a libc wrapper returning &lt; 0 on failure) until it succeeds or fails with a real errno.</summary>
    public static int Retry(Func<int> call)
    {
        int result = call();
        for (int attempt = 1; result < 0 && attempt < Attempts && Stdlib.GetLastError() == 0; attempt++)
        {
            result = call();
        }

        return result;
    }

    /// <summary>As <see cref="Retry"/> for calls that return a handle, <see cref="IntPtr.Zero"/> on failure.</summary>
    public static IntPtr RetryHandle(Func<IntPtr> call)
    {
        IntPtr result = call();
        for (int attempt = 1; result == IntPtr.Zero && attempt < Attempts && Stdlib.GetLastError() == 0; attempt++)
        {
            result = call();
        }

        return result;
    }
}
