using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>waitpid(2) and kill(2) for the children this process started itself.</summary>
public static partial class ProcessControl
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    private const int WNoHang = 1;

    /// <summary>
    /// Reaps <paramref name="pid"/> if it has ended, without blocking. Returns null while it
    /// runs; <see cref="ChildExit.Unknown"/> when it is not (or no longer) our child, e.g.
    /// because SIGCHLD was ignored and the kernel reaped it.
    /// </summary>
    public static ChildExit? TryReap(int pid)
    {
        while (true)
        {
            int status;
            int result = waitpid(pid, out status, WNoHang);
            if (result == pid)
            {
                return ChildExit.FromWaitStatus(status);
            }

            if (result == 0)
            {
                return null;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == NativeError.EINTR)
            {
                continue;
            }

            return ChildExit.Unknown;
        }
    }

    /// <summary>Waits for <paramref name="pid"/>, our child, to end; <see cref="ChildExit.Unknown"/> when it is not our child.</summary>
    public static ChildExit WaitFor(int pid)
    {
        while (true)
        {
            if (waitpid(pid, out int status, 0) == pid)
            {
                return ChildExit.FromWaitStatus(status);
            }

            if (Marshal.GetLastPInvokeError() != NativeError.EINTR)
            {
                return ChildExit.Unknown;
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process does not exist (any more).</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>Whether a process with this pid exists (kill 0; EPERM means it exists but is not ours).</summary>
    public static bool Exists(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        return kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == NativeError.EPERM;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
