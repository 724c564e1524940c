using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's side of cross-user URLFETCH (RFC 4467): a user process that meets a URLAUTH
/// URL of another user's mailbox passes the daemon a channel (<see cref="PoolChannel.UrlChannelByte"/>)
/// on which it asks for such URLs. The requesting user is the one the daemon gave that process,
/// never a name the process sends. Each URL goes to a delivery worker that has become the URL's
/// owner (<see cref="OwnerUrlWorker"/>), which verifies the token with the owner's key and the
/// access identifier against the requester, and answers with the message in a memory file,
/// passed on as it is. Workers are kept while they are used and ended after
/// <see cref="IdleWorkers"/> without a request; one that does not answer within
/// <see cref="WorkerTimeoutMs"/> is killed, and the request fails.
/// </summary>
public sealed class OwnerUrlBroker : IDisposable
{
    public const int WorkerTimeoutMs = 5_000;

    private static readonly TimeSpan IdleWorkers = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<string> _configuration;
    private readonly ILogger _log;
    private readonly object _lock = new();
    private readonly Timer _sweep;
    private DeliveryWorkers? _workers;
    private DateTime _lastUse;
    private bool _disposed;

    /// <param name="configuration">The options that make a worker read our configuration.</param>
    public OwnerUrlBroker(IReadOnlyList<string> configuration, ILogger log)
    {
        _configuration = configuration;
        _log = log;
        _sweep = new Timer(_ => EndIdleWorkers(), null, IdleWorkers, IdleWorkers);
    }

    /// <summary>Serves the URL channel <paramref name="channel"/> (owned from now on) of a process serving <paramref name="requester"/>.</summary>
    public void Serve(int channel, UserInfo requester)
    {
        new Thread(() => ServeLoop(channel, requester)) { IsBackground = true, Name = "imap4d URL channel" }.Start();
    }

    public void Dispose()
    {
        _sweep.Dispose();
        lock (_lock)
        {
            _disposed = true;
            _workers?.Dispose();
            _workers = null;
        }
    }

    private void ServeLoop(int channel, UserInfo requester)
    {
        var buffer = new byte[OwnerUrlMessages.MaxPacket];
        try
        {
            while (true)
            {
                int n = DescriptorPassing.ReceivePacket(channel, buffer, out int fd, out bool truncated);
                FileDescriptors.Close(fd); // a session sends no descriptors
                if (n == 0)
                {
                    return;
                }

                int id;
                string url;
                try
                {
                    if (truncated)
                    {
                        throw new InvalidDataException("URL request too long");
                    }

                    (id, url) = OwnerUrlMessages.DecodeSessionRequest(buffer.AsSpan(0, n));
                }
                catch (InvalidDataException e)
                {
                    _log.Warn("malformed URL request from a session of {0}: {1}", requester.Name, e.Message);
                    return; // the process is not ours any more; its channel goes
                }

                var status = Resolve(requester, url, out int message);
                try
                {
                    DescriptorPassing.SendPacket(channel, OwnerUrlMessages.EncodeSessionReply(id, status), message);
                }
                finally
                {
                    FileDescriptors.Close(message);
                }
            }
        }
        catch (NativeError e)
        {
            _log.Debug("URL channel of a session of {0} ended: {1}", requester.Name, e.Message);
        }
        finally
        {
            FileDescriptors.Close(channel);
        }
    }

    /// <summary>Asks the URL owner's worker; the message descriptor (or -1) is the caller's to close.</summary>
    private OwnerUrlStatus Resolve(UserInfo requester, string url, out int message)
    {
        message = -1;
        if (!ImapUrl.TryParse(url, out var parsed) || parsed.User is not { Length: > 0 } owner || !parsed.HasUrlAuth || parsed.Token is null)
        {
            return OwnerUrlStatus.NotFound;
        }

        if (Mono.Unix.Native.Syscall.geteuid() != 0)
        {
            return OwnerUrlStatus.NotFound; // no worker could be anyone but us, and the session is us already
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return OwnerUrlStatus.Failed;
            }

            _workers ??= new DeliveryWorkers(_configuration, keepStderr: true, _log);
            _lastUse = DateTime.UtcNow;
            var reply = _workers.Exchange(owner, OwnerUrlMessages.EncodeWorkerRequest(requester.Name, url), WorkerTimeoutMs, out message);
            if (reply is null)
            {
                return OwnerUrlStatus.Failed;
            }

            try
            {
                var status = OwnerUrlMessages.DecodeWorkerReply(reply);
                if ((status == OwnerUrlStatus.Found) == (message >= 0))
                {
                    if (status == OwnerUrlStatus.Found)
                    {
                        _log.Info("URL of {0} fetched for {1}", owner, requester.Name);
                    }

                    return status;
                }
            }
            catch (InvalidDataException)
            {
            }

            _log.Error("malformed answer from the URL worker for {0}", owner);
            FileDescriptors.Close(message);
            message = -1;
            return OwnerUrlStatus.Failed;
        }
    }

    private void EndIdleWorkers()
    {
        lock (_lock)
        {
            if (_workers is not null && DateTime.UtcNow - _lastUse >= IdleWorkers)
            {
                _workers.Dispose();
                _workers = null;
            }
        }
    }
}
