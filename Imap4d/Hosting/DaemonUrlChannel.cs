using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// A user process's way to the daemon's <see cref="OwnerUrlBroker"/>: on first use it makes a
/// sequenced-packet pair and passes one end on its pool channel (<see cref="PoolChannel.UrlChannelByte"/>);
/// then each URL is one request with an id and one reply. The process's sessions share it, one
/// request at a time. A reply that does not come within <see cref="TimeoutMs"/> fails the request
/// (the session answers NO, it never hangs); a late reply is recognised by its id and dropped.
/// </summary>
public sealed class DaemonUrlChannel
{
    /// <summary>The daemon's worker deadline plus the time to start one.</summary>
    public const int TimeoutMs = OwnerUrlBroker.WorkerTimeoutMs + 5_000;

    private readonly int _poolChannel;
    private readonly long _maxSize;
    private readonly object _lock = new();
    private int _channel = -1;
    private int _lastId;

    /// <param name="poolChannel">The process's channel to the daemon (stays the caller's).</param>
    /// <param name="maxSize">The largest message accepted back.</param>
    public DaemonUrlChannel(int poolChannel, long maxSize)
    {
        _poolChannel = poolChannel;
        _maxSize = maxSize;
    }

    /// <summary>The message of <paramref name="url"/> as its owner's worker found it.</summary>
    public (OwnerUrlStatus Status, byte[]? Message) Fetch(string url)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(url) > OwnerUrlMessages.MaxUrl)
        {
            return (OwnerUrlStatus.NotFound, null);
        }

        lock (_lock)
        {
            try
            {
                int channel = Open();
                int id = ++_lastId;
                DescriptorPassing.SendPacket(channel, OwnerUrlMessages.EncodeSessionRequest(id, url), -1, dontWait: true);
                long deadline = Environment.TickCount64 + TimeoutMs;
                var buffer = new byte[OwnerUrlMessages.MaxPacket];
                while (FileDescriptors.WaitReadable(channel, (int)Math.Max(0, deadline - Environment.TickCount64)))
                {
                    int n = DescriptorPassing.ReceivePacket(channel, buffer, out int fd, out bool truncated);
                    if (n == 0)
                    {
                        break; // the daemon is gone
                    }

                    (int Id, OwnerUrlStatus Status) reply;
                    try
                    {
                        reply = truncated ? default : OwnerUrlMessages.DecodeSessionReply(buffer.AsSpan(0, n));
                    }
                    catch (InvalidDataException)
                    {
                        reply = default;
                    }

                    if (reply.Id != id)
                    {
                        FileDescriptors.Close(fd); // the answer to a request given up on
                        continue;
                    }

                    if (reply.Status != OwnerUrlStatus.Found)
                    {
                        FileDescriptors.Close(fd);
                        return (reply.Status, null);
                    }

                    var message = fd >= 0 ? MessageMemoryFile.ReadAndClose(fd, _maxSize) : null;
                    return message is null ? (OwnerUrlStatus.NotFound, null) : (OwnerUrlStatus.Found, message);
                }

                if (Environment.TickCount64 >= deadline)
                {
                    return (OwnerUrlStatus.Failed, null);
                }
            }
            catch (NativeError)
            {
            }

            Close();
            return (OwnerUrlStatus.Failed, null);
        }
    }

    private int Open()
    {
        if (_channel >= 0)
        {
            return _channel;
        }

        var (ours, theirs) = FileDescriptors.CreatePacketPair();
        try
        {
            DescriptorPassing.Send(_poolChannel, theirs, PoolChannel.UrlChannelByte);
        }
        catch
        {
            FileDescriptors.Close(ours);
            throw;
        }
        finally
        {
            FileDescriptors.Close(theirs);
        }

        _channel = ours;
        return ours;
    }

    private void Close()
    {
        if (_channel >= 0)
        {
            FileDescriptors.Close(_channel);
            _channel = -1;
        }
    }
}
