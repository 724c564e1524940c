using System.Net.Sockets;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The login process's end of its channel to the daemon (see <see cref="LoginMessages"/>): a
/// thread receives accepted connections and the answers to credential checks; checks are sent
/// from any session, each with an id its answer carries back.
/// </summary>
public sealed class LoginChannel : IDisposable
{
    private readonly int _fd;
    private readonly ILogger _log;
    private readonly object _sendLock = new();
    private readonly Dictionary<int, TaskCompletionSource<(LoginVerdict Verdict, string? Text)>> _pending = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;
    private bool _ended;

    public LoginChannel(int fd, ILogger log)
    {
        _fd = fd;
        _log = log;
    }

    /// <summary>Raised on the receiving thread for each connection the daemon hands over.</summary>
    public event Action<Socket>? ConnectionArrived;

    /// <summary>Raised on the receiving thread when the daemon retires this process (a new one takes the new connections).</summary>
    public event Action? Retired;

    /// <summary>Completes when the daemon has closed the channel (or it failed).</summary>
    public Task Closed => _closed.Task;

    public void Start() => new Thread(ReceiveLoop) { IsBackground = true, Name = "imap4d login channel" }.Start();

    /// <summary>
    /// Sends credentials with <paramref name="connection"/> attached and waits for the daemon's
    /// verdict; Unavailable when the channel is gone. Not cancellable: once sent, the daemon may
    /// hand the connection on, and the session must not write to it after that.
    /// </summary>
    public Task<(LoginVerdict Verdict, string? Text)> CheckAsync(Func<int, byte[]> encode, int connection)
    {
        var answer = new TaskCompletionSource<(LoginVerdict, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        int id = Interlocked.Increment(ref _nextId);
        lock (_pending)
        {
            if (_ended)
            {
                return Task.FromResult((LoginVerdict.Unavailable, (string?)null));
            }

            _pending[id] = answer;
        }

        try
        {
            byte[] message = encode(id);
            lock (_sendLock)
            {
                DescriptorPassing.SendPacket(_fd, message, connection);
            }
        }
        catch (NativeError e)
        {
            _log.Error("cannot send credentials to the daemon: {0}", e.Message);
            Complete(id, LoginVerdict.Unavailable, null);
        }

        return answer.Task;
    }

    public void Dispose() => FileDescriptors.Close(_fd);

    private void ReceiveLoop()
    {
        var buffer = new byte[LoginMessages.MaxMessage];
        try
        {
            while (true)
            {
                int n = DescriptorPassing.ReceivePacket(_fd, buffer, out int fd, out bool truncated);
                if (n == 0)
                {
                    break;
                }

                if (truncated || !Dispatch(buffer.AsSpan(0, n), fd))
                {
                    _log.Warn("ignoring a malformed message from the daemon");
                    if (fd >= 0)
                    {
                        FileDescriptors.Close(fd);
                    }
                }
            }
        }
        catch (NativeError e)
        {
            _log.Error("channel to the daemon failed: {0}", e.Message);
        }

        List<int> ids;
        lock (_pending)
        {
            _ended = true;
            ids = [.. _pending.Keys];
        }

        ids.ForEach(id => Complete(id, LoginVerdict.Unavailable, null));
        _closed.TrySetResult();
    }

    private bool Dispatch(ReadOnlySpan<byte> message, int fd)
    {
        if (message[0] == LoginMessages.Connection && fd >= 0)
        {
            Socket socket;
            try
            {
                socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            }
            catch (SocketException)
            {
                FileDescriptors.Close(fd);
                return true;
            }

            ConnectionArrived?.Invoke(socket);
            return true;
        }

        if (message[0] == LoginMessages.Retire && message.Length == 1 && fd < 0)
        {
            Retired?.Invoke();
            return true;
        }

        if (message[0] == LoginMessages.Reply && fd < 0)
        {
            try
            {
                var (id, verdict, text) = LoginMessages.DecodeReply(message[1..]);
                Complete(id, verdict, text);
                return true;
            }
            catch (Exception)
            {
                return false; // malformed
            }
        }

        return false;
    }

    private void Complete(int id, LoginVerdict verdict, string? text)
    {
        TaskCompletionSource<(LoginVerdict, string?)>? answer;
        lock (_pending)
        {
            _pending.Remove(id, out answer);
        }

        answer?.TrySetResult((verdict, text));
    }
}
