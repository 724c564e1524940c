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

    /// <summary>A connection that logged in in the login process; a <see cref="PostLoginHandoff"/> follows (length, bytes).</summary>
    public const byte LoginByte = (byte)'L';

    /// <summary>User process to daemon: one of its sessions has ended.</summary>
    public const byte SessionEndedByte = (byte)'E';

    /// <summary>User process to daemon, with a descriptor: the channel on which it asks for other users' URLs (<see cref="OwnerUrlBroker"/>).</summary>
    public const byte UrlChannelByte = (byte)'U';

    /// <summary>Daemon to user process: take no more connections; exit once the sessions end.</summary>
    public const byte RetireByte = (byte)'Q';

    /// <summary>The largest state a login handoff may carry.</summary>
    private const int MaxState = LoginMessages.MaxMessage + 16 * 1024;

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
    public static bool WaitForConnection(int channel) => WaitForConnection(channel, out _);

    /// <summary>
    /// As <see cref="WaitForConnection(int)"/>; <paramref name="login"/> is set when the
    /// connection logged in in the login process (the session then resumes it as the user).
    /// </summary>
    /// <remarks>After a login handoff the channel stays open: the caller (a user process) keeps it.</remarks>
    public static bool WaitForConnection(int channel, out PostLoginHandoff? login)
    {
        login = null;
        bool keep = false;
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

                if (tag == LoginByte)
                {
                    login = ReadLoginState(channel);
                    if (login is null)
                    {
                        FileDescriptors.Close(fd);
                        return false;
                    }
                }
                else if (tag != ConnectionByte)
                {
                    FileDescriptors.Close(fd);
                    continue;
                }

                // The login process used it asynchronously, which made the shared open file non-blocking.
                FileDescriptors.SetBlocking(fd);
                FileDescriptors.Duplicate(fd, 0);
                FileDescriptors.Duplicate(fd, 1);
                FileDescriptors.Close(fd);
                keep = login is not null;
                return true;
            }
        }
        catch (NativeError)
        {
            return false;
        }
        finally
        {
            if (!keep)
            {
                FileDescriptors.Close(channel);
            }
        }
    }

    /// <summary>
    /// A user process's wait for its next connection: the descriptor (close-on-exec, made
    /// blocking) and its state; null at end of file or after <see cref="RetireByte"/>.
    /// </summary>
    public static (int Fd, PostLoginHandoff Login)? ReceiveLogin(int channel)
    {
        try
        {
            while (true)
            {
                if (!DescriptorPassing.Receive(channel, out byte tag, out int fd))
                {
                    return null;
                }

                if (tag == RetireByte)
                {
                    if (fd >= 0)
                    {
                        FileDescriptors.Close(fd);
                    }

                    return null;
                }

                if (tag != LoginByte || fd < 0)
                {
                    if (fd >= 0)
                    {
                        FileDescriptors.Close(fd);
                    }

                    continue;
                }

                if (ReadLoginState(channel) is not { } login)
                {
                    FileDescriptors.Close(fd);
                    return null;
                }

                FileDescriptors.SetBlocking(fd);
                return (fd, login);
            }
        }
        catch (NativeError)
        {
            return null;
        }
    }

    private static PostLoginHandoff? ReadLoginState(int channel)
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReadExactly(channel, header))
        {
            return null;
        }

        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxState)
        {
            return null;
        }

        var state = new byte[length];
        if (!ReadExactly(channel, state))
        {
            return null;
        }

        try
        {
            return PostLoginHandoff.Decode(state);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static bool ReadExactly(int fd, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = FileDescriptors.Read(fd, buffer);
            if (n == 0)
            {
                return false;
            }

            buffer = buffer[n..];
        }

        return true;
    }
}
