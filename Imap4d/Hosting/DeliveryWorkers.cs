using Imap4d.Delivery;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The delivery workers of one root process (an LMTP connection, or `--deliver` with several
/// users): one per recipient account, started at its first message and reused for the next
/// ones, so that a connection carrying many messages starts a process per user rather than per
/// message. At most <see cref="MaxWorkers"/> live at once; the least recently used one is ended
/// to make room. Each worker holds one identity for its whole life (see <see cref="DeliveryWorkerHost"/>).
/// </summary>
public sealed class DeliveryWorkers : IDisposable
{
    public const int MaxWorkers = 16;

    private readonly IReadOnlyList<string> _configuration;
    private readonly bool _keepStderr;
    private readonly ILogger _log;
    private readonly LinkedList<DeliveryWorker> _byUse = new(); // most recently used first

    /// <param name="configuration">The options that make a worker read our configuration.</param>
    public DeliveryWorkers(IReadOnlyList<string> configuration, bool keepStderr, ILogger log)
    {
        _configuration = configuration;
        _keepStderr = keepStderr;
        _log = log;
    }

    /// <summary>How many workers have been started so far (for the log and tests).</summary>
    public int Started { get; private set; }

    /// <summary>Delivers the message in <paramref name="messageFd"/> to <paramref name="user"/> through that user's worker.</summary>
    public DeliveryOutcome Deliver(string user, int messageFd, string? sender, DeliveryRequest request)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            DeliveryWorker worker;
            try
            {
                worker = Acquire(user);
            }
            catch (NativeError e)
            {
                _log.Error("cannot start a delivery process for {0}: {1}", user, e.Message);
                return new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot start the delivery process");
            }

            var outcome = worker.Deliver(messageFd, sender, request);
            if (!worker.Usable)
            {
                Retire(worker);
            }

            if (outcome is not null)
            {
                return outcome;
            }
        }

        return new DeliveryOutcome(DeliveryOutcome.TempFail, "the delivery process ended");
    }

    /// <summary>
    /// One request and its reply with <paramref name="user"/>'s worker (<see cref="DeliveryWorker.Exchange"/>);
    /// null when no worker could be started or it did not answer in time.
    /// </summary>
    public byte[]? Exchange(string user, ReadOnlySpan<byte> request, int timeoutMs, out int replyFd)
    {
        replyFd = -1;
        DeliveryWorker worker;
        try
        {
            worker = Acquire(user);
        }
        catch (NativeError e)
        {
            _log.Error("cannot start a worker for {0}: {1}", user, e.Message);
            return null;
        }

        var reply = worker.Exchange(request, timeoutMs, out replyFd);
        if (!worker.Usable)
        {
            Retire(worker);
        }

        return reply;
    }

    /// <summary>Workers alive now.</summary>
    public int Count => _byUse.Count;

    public void Dispose()
    {
        while (_byUse.First is { } node)
        {
            Retire(node.Value);
        }
    }

    private DeliveryWorker Acquire(string user)
    {
        for (var node = _byUse.First; node is not null; node = node.Next)
        {
            if (string.Equals(node.Value.User, user, StringComparison.Ordinal))
            {
                _byUse.Remove(node);
                _byUse.AddFirst(node);
                return node.Value;
            }
        }

        if (_byUse.Count >= MaxWorkers)
        {
            Retire(_byUse.Last!.Value);
        }

        var worker = DeliveryWorker.Start(user, _configuration, _keepStderr, _log);
        Started++;
        _byUse.AddFirst(worker);
        return worker;
    }

    private void Retire(DeliveryWorker worker)
    {
        _byUse.Remove(worker);
        worker.Dispose();
    }
}
