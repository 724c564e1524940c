using Imap4d.Delivery;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The root process's handle on one delivery worker (<see cref="DeliveryWorkerHost"/>): a copy
/// of this program run as `imap4d --deliver -- USER` with a sequenced-packet channel, which
/// becomes USER for good and then stores, one after another, every message it is sent for that
/// user. Requests are strictly one at a time: each waits for its reply.
/// </summary>
public sealed class DeliveryWorker : IDisposable
{
    /// <summary>ECONNRESET: a Unix socket's peer closed with data unread (unix(7)).</summary>
    private const int ConnectionReset = 104;

    private readonly int _channel;
    private readonly ILogger _log;
    private bool _broken;

    private DeliveryWorker(string user, int pid, int channel, ILogger log)
    {
        User = user;
        Pid = pid;
        _channel = channel;
        _log = log;
    }

    public string User { get; }

    public int Pid { get; }

    /// <summary>False once the worker has gone away or said something it should not: it takes no more requests.</summary>
    public bool Usable => !_broken;

    /// <summary>Starts a worker for <paramref name="user"/> with our configuration options; its stderr is ours or /dev/null.</summary>
    /// <exception cref="NativeError">The channel or the process could not be made.</exception>
    public static DeliveryWorker Start(string user, IReadOnlyList<string> configuration, bool keepStderr, ILogger log)
    {
        var (path, prefix) = ChildCommandLine.Executable();
        var argv = new List<string>(prefix) { "--deliver" };
        argv.AddRange(configuration);
        argv.Add("--");
        argv.Add(user);
        var (ours, theirs) = FileDescriptors.CreatePacketPair();
        int devNull = -1;
        try
        {
            devNull = FileDescriptors.OpenDevNull();
            int pid = PosixSpawn.Spawn(new SpawnRequest(path, argv,
                ChildEnvironment.Build([new(ChildEnvironment.DeliveryChannelVariable, ChildEnvironment.DeliveryChannelFd.ToString(System.Globalization.CultureInfo.InvariantCulture))]))
            {
                Descriptors = [(devNull, 0), (devNull, 1), (keepStderr ? 2 : devNull, 2), (theirs, ChildEnvironment.DeliveryChannelFd)],
            });
            log.Debug("delivery worker {0} started for {1}", pid, user);
            return new DeliveryWorker(user, pid, ours, log);
        }
        catch
        {
            FileDescriptors.Close(ours);
            throw;
        }
        finally
        {
            FileDescriptors.Close(theirs);
            if (devNull >= 0)
            {
                FileDescriptors.Close(devNull);
            }
        }
    }

    /// <summary>
    /// Sends the message (<paramref name="messageFd"/>, rewound by the worker) and waits for the
    /// outcome. Null when the worker never read the request (it had ended, or ended with the
    /// request unread: the message was not delivered and another worker may try); a temporary
    /// failure when it ended after reading it, before answering (it may have stored the message).
    /// </summary>
    public DeliveryOutcome? Deliver(int messageFd, string? sender, DeliveryRequest request)
    {
        try
        {
            DescriptorPassing.SendPacket(_channel, DeliveryWorkerMessages.EncodeRequest(request, sender), messageFd);
        }
        catch (NativeError e)
        {
            _log.Warn("delivery worker {0} for {1} is gone ({2}); starting another", Pid, User, e.Message);
            _broken = true;
            return null;
        }

        var buffer = new byte[DeliveryWorkerMessages.MaxMessage];
        try
        {
            int n = DescriptorPassing.ReceivePacket(_channel, buffer, out int fd, out bool truncated);
            if (fd >= 0)
            {
                FileDescriptors.Close(fd);
            }

            if (n > 0 && !truncated && fd < 0)
            {
                return DeliveryWorkerMessages.DecodeReply(buffer.AsSpan(0, n));
            }
        }
        catch (NativeError e) when (e.Errno == ConnectionReset)
        {
            // The worker ended with our request still unread in its socket (it was dying as we
            // sent): nothing was delivered, so another worker may try.
            _log.Warn("delivery worker {0} for {1} ended before reading the message; starting another", Pid, User);
            _broken = true;
            return null;
        }
        catch (Exception e) when (e is NativeError or InvalidDataException)
        {
            _log.Error("delivery worker {0} for {1}: {2}", Pid, User, e.Message);
        }

        _broken = true;
        return new DeliveryOutcome(DeliveryOutcome.TempFail, "the delivery process ended without an answer");
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits at most <paramref name="timeoutMs"/> for the reply
    /// packet, returned with the descriptor that came with it (the caller's to close; -1 when none).
    /// Null when the worker is gone, said something malformed, or is too slow: it is then killed
    /// and takes no more requests, so that a late reply can never answer a later request.
    /// </summary>
    public byte[]? Exchange(ReadOnlySpan<byte> request, int timeoutMs, out int replyFd)
    {
        replyFd = -1;
        try
        {
            DescriptorPassing.SendPacket(_channel, request, -1, dontWait: true);
            if (FileDescriptors.WaitReadable(_channel, timeoutMs))
            {
                var buffer = new byte[DeliveryWorkerMessages.MaxMessage];
                int n = DescriptorPassing.ReceivePacket(_channel, buffer, out replyFd, out bool truncated);
                if (n > 0 && !truncated)
                {
                    return buffer[..n];
                }
            }
            else
            {
                _log.Warn("worker {0} for {1} did not answer in {2} ms; ending it", Pid, User, timeoutMs);
            }
        }
        catch (NativeError e)
        {
            _log.Warn("worker {0} for {1}: {2}", Pid, User, e.Message);
        }

        FileDescriptors.Close(replyFd);
        replyFd = -1;
        _broken = true;
        ProcessControl.Signal(Pid, ProcessControl.SigKill);
        return null;
    }

    /// <summary>Closes the channel (the worker ends at its next read) and reaps the process.</summary>
    public void Dispose()
    {
        FileDescriptors.Close(_channel);
        var exit = ProcessControl.WaitFor(Pid);
        if (exit.ExitCode != ExitCodes.Ok)
        {
            _log.Warn("delivery worker {0} for {1} ended by {2}", Pid, User, exit);
        }
    }
}
