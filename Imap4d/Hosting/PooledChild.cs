using System.Net.Sockets;
using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's side of one prestarted session process: its pid and the channel on which it
/// says it is ready and then receives one connection.
/// </summary>
public sealed class PooledChild : IDisposable
{
    private readonly Socket _channel;
    private int _disposed;

    /// <param name="pid">The child.</param>
    /// <param name="channel">The daemon's end of the socket pair; owned from here on.</param>
    public PooledChild(int pid, int channel)
    {
        Pid = pid;
        _channel = new Socket(new SafeSocketHandle(channel, ownsHandle: true));
    }

    public int Pid { get; }

    /// <summary>Set once the child has reported that it finished starting.</summary>
    public bool IsReady { get; private set; }

    /// <summary>
    /// Waits for the child's ready byte; false when it ends (or the channel fails) first.
    /// </summary>
    public async Task<bool> WaitReadyAsync(CancellationToken ct)
    {
        var buffer = new byte[1];
        try
        {
            int n = await _channel.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            IsReady = n == 1 && buffer[0] == PoolChannel.ReadyByte;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            IsReady = false;
        }

        return IsReady;
    }

    /// <summary>
    /// Sends <paramref name="connection"/> to the child, ready or still starting: the message
    /// waits in the channel until the child reads it, even after our end is closed. False when
    /// the child is gone (its end closed) or cannot take it; the connection stays ours then.
    /// </summary>
    public bool TryHandOff(Socket connection)
    {
        try
        {
            DescriptorPassing.Send((int)_channel.Handle, (int)connection.Handle, PoolChannel.ConnectionByte);
            return true;
        }
        catch (Exception e) when (e is NativeError or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends a connection that logged in elsewhere, with <paramref name="state"/> (a
    /// <see cref="PostLoginHandoff"/>): the descriptor with <see cref="PoolChannel.LoginByte"/>,
    /// then the state's length and bytes. False when the child cannot take it.
    /// </summary>
    public bool TryHandOffLogin(int connection, byte[] state) => UserProcesses.Send(_channel, connection, state);

    /// <summary>The channel, which the caller owns from now on (a user process keeps talking on it); Dispose then leaves it open.</summary>
    public Socket DetachChannel()
    {
        Interlocked.Exchange(ref _disposed, 1);
        return _channel;
    }

    /// <summary>Closes the channel; a child still waiting on it sees end of file and exits.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _channel.Dispose();
        }
    }
}
