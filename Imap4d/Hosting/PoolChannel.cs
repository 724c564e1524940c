using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// The prestarted child's side of its channel to the daemon (<see cref="ChildEnvironment.PoolChannel"/>):
/// after its start-up the child writes <see cref="ReadyByte"/>, then blocks until the daemon
/// sends an accepted connection (SCM_RIGHTS, with <see cref="ConnectionByte"/>), which becomes
/// its standard input and output: from then on it is an ordinary inetd-mode session, and it
/// serves that one connection only. End of file instead means the daemon no longer needs it.
/// </summary>
public static class PoolChannel
{
    public const byte ReadyByte = (byte)'R';
    public const byte ConnectionByte = (byte)'C';

    /// <summary>Tells the daemon this process is ready; false if the daemon's end is closed.</summary>
    public static bool ReportReady(int channel)
    {
        try
        {
            FileDescriptors.WriteAll(channel, [ReadyByte]);
            return true;
        }
        catch (NativeError)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits for the connection and puts it on fds 0 and 1; closes the channel either way.
    /// False when the daemon closed the channel (or it failed) without sending one.
    /// </summary>
    public static bool WaitForConnection(int channel)
    {
        try
        {
            while (true)
            {
                if (!DescriptorPassing.Receive(channel, out byte tag, out int fd))
                {
                    return false;
                }

                if (fd < 0)
                {
                    continue; // a stray byte without a descriptor
                }

                if (tag != ConnectionByte)
                {
                    FileDescriptors.Close(fd);
                    continue;
                }

                FileDescriptors.Duplicate(fd, 0);
                FileDescriptors.Duplicate(fd, 1);
                FileDescriptors.Close(fd);
                return true;
            }
        }
        catch (NativeError)
        {
            return false;
        }
        finally
        {
            FileDescriptors.Close(channel);
        }
    }
}
