using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// The calling thread's signal mask. A process inherits its mask from whoever started it (a
/// supervisor, a test host, a shell script running `trap '' HUP` is the ignored case), and a
/// signal blocked in every thread is never delivered: a daemon started with SIGHUP blocked
/// would never reload. The runtime's handlers are process-wide, so one thread that does not
/// block a signal is enough for it to arrive.
/// </summary>
internal static unsafe partial class SignalMask
{
    // Linux signal numbers (x86-64 and arm64 alike).
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;
    public const int SIGCHLD = 17;

    private const int SigUnblock = 1; // SIG_UNBLOCK on Linux
    private const int SignalSetSize = 128;

    /// <summary>Unblocks <paramref name="signals"/> (signal numbers) in the calling thread.</summary>
    /// <exception cref="NativeError">sigaddset or pthread_sigmask failed.</exception>
    public static void Unblock(params int[] signals)
    {
        byte* set = stackalloc byte[SignalSetSize];
        if (sigemptyset(set) != 0)
        {
            throw NativeError.FromLastError("sigemptyset");
        }

        foreach (int signal in signals)
        {
            if (sigaddset(set, signal) != 0)
            {
                throw NativeError.FromLastError("sigaddset");
            }
        }

        int result = pthread_sigmask(SigUnblock, set, null);
        if (result != 0)
        {
            throw new NativeError("pthread_sigmask", result);
        }
    }

    [LibraryImport("libc")]
    private static partial int pthread_sigmask(int how, byte* set, byte* oldSet);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigemptyset(byte* set);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigaddset(byte* set, int signal);
}
