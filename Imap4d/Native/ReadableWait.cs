namespace Imap4d.Native;

/// <summary>Waiting, with a deadline, for a descriptor to have something to read (or to be closed by its peer).</summary>
public static partial class FileDescriptors
{
    /// <summary>True when <paramref name="fd"/> is readable (data, end of file or an error) within <paramref name="timeoutMs"/>.</summary>
    public static bool WaitReadable(int fd, int timeoutMs)
    {
        long deadline = Environment.TickCount64 + Math.Max(0, timeoutMs);
        while (true)
        {
            var waitFor = new PollDescriptor { Fd = fd, Events = 1 }; // POLLIN; POLLHUP and POLLERR come unasked
            int left = (int)Math.Max(0, deadline - Environment.TickCount64);
            int n = poll(ref waitFor, 1, left);
            if (n > 0)
            {
                return true;
            }

            if (n == 0 || (int)NativeErrno.Last != NativeError.EINTR || left == 0)
            {
                return false;
            }
        }
    }
}
