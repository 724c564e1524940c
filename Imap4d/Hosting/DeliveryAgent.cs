using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Delivery;
using Imap4d.Lmtp;
using Imap4d.Native;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// Delivers one message to several accounts, for LMTP and for `--deliver` with several users.
/// Running as root, each recipient's copy is stored by a worker process that has become that
/// user for good (<see cref="DeliveryWorkers"/>; reused for the user's next messages on the same
/// connection); otherwise (a mail user owning every virtual mailbox, or a user's own .forward)
/// the message is stored here with our own identity.
/// </summary>
public sealed class DeliveryAgent : IRecipientDelivery, IDisposable
{
    /// <summary>Our own options that would change what a worker does, rather than which configuration it reads.</summary>
    private static readonly HashSet<string> ModeOptions = new(StringComparer.Ordinal)
    {
        "--daemon", "--inetd", "--foreground", "--test", "--preauth", "--config-verbose", "--deliver", "--lmtp",
    };

    private static readonly string[] ValuedModeOptions =
        ["--" + GnuArgumentNormalizer.MaxChildrenOption + "=", "--" + GnuArgumentNormalizer.RecipientOption + "=", "--from=", "--mailbox="];

    private readonly ILogger _log;
    private readonly LocalDelivery? _local;
    private readonly DeliveryWorkers? _workers;

    /// <param name="ownArguments">This process's command line, whose configuration options the workers get.</param>
    /// <param name="keepStderr">Give workers our standard error (the LDA's, which the MTA reads); else /dev/null (LMTP, whose stdout is the client).</param>
    public DeliveryAgent(ServerSettings settings, IReadOnlyList<string> ownArguments, ILogger log, bool keepStderr)
    {
        _log = log;
        Recipients = new RecipientResolver(settings, message => log.Warn(message));
        if (SeparateProcesses)
        {
            var configuration = GnuArgumentNormalizer.Normalize(ownArguments).Arguments
                .Where(a => !ModeOptions.Contains(a) && !ValuedModeOptions.Any(o => a.StartsWith(o, StringComparison.Ordinal)))
                .ToList();
            _workers = new DeliveryWorkers(configuration, keepStderr, log);
        }
        else
        {
            _local = CreateLocalDelivery(settings, log);
        }
    }

    public RecipientResolver Recipients { get; }

    /// <summary>How many worker processes this agent has started (none when not root).</summary>
    public int WorkersStarted => _workers?.Started ?? 0;

    public UserInfo? Resolve(string recipient) => Recipients.Resolve(recipient);

    /// <summary>Whether deliveries run in worker processes (we are root).</summary>
    public static bool SeparateProcesses => Syscall.geteuid() == 0;

    /// <summary>The delivery of this process's identity, storing through each user's mail store as a session would.</summary>
    public static LocalDelivery CreateLocalDelivery(ServerSettings settings, ILogger log)
    {
        var homes = SessionServicesFactory.CreateHomeDirectory(settings, message => log.Warn(message));
        return new LocalDelivery(settings, SessionServicesFactory.CreateStoreFactory(settings, homes), log);
    }

    /// <summary>Delivers <paramref name="message"/> to each of <paramref name="users"/> in order; one outcome each.</summary>
    public async Task<IReadOnlyList<DeliveryOutcome>> DeliverAllAsync(
        IReadOnlyList<UserInfo> users, IncomingMessage message, DeliveryRequest request, CancellationToken ct)
    {
        var outcomes = new List<DeliveryOutcome>(users.Count);
        if (_workers is not null)
        {
            if (users.Count == 0)
            {
                return outcomes;
            }

            using var spool = Spool(message);
            if (spool is null)
            {
                return users.Select(_ => new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot spool the message")).ToList();
            }

            int fd = (int)spool.DangerousGetHandle();
            foreach (var user in users)
            {
                outcomes.Add(await Task.Run(() => _workers.Deliver(user.Name, fd, message.Sender, request), ct).ConfigureAwait(false));
            }

            return outcomes;
        }

        foreach (var user in users)
        {
            outcomes.Add(await _local!.DeliverAsync(user, message, request, ct).ConfigureAwait(false));
        }

        return outcomes;
    }

    public void Dispose() => _workers?.Dispose();

    /// <summary>The message as stored, in a file only we can open (in memory where the kernel allows), for the workers to read.</summary>
    private SafeFileHandle? Spool(IncomingMessage message)
    {
        SafeFileHandle? handle = null;
        try
        {
            handle = MemoryFile.TryCreate("imap4d-delivery") ?? TemporaryFile();
            using var content = message.OpenRead();
            var buffer = new byte[64 * 1024];
            long offset = 0;
            int n;
            while ((n = content.Read(buffer)) > 0)
            {
                RandomAccess.Write(handle, buffer.AsSpan(0, n), offset);
                offset += n;
            }

            return handle;
        }
        catch (IOException e)
        {
            _log.Error("cannot spool a message for delivery: {0}", e.Message);
            handle?.Dispose();
            return null;
        }
    }

    /// <summary>A temporary file (mode 0600) whose name is gone at once; only the descriptor is left.</summary>
    private static SafeFileHandle TemporaryFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"imap4d-deliver-{Environment.ProcessId}-{Guid.NewGuid():N}");
        int fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_CLOEXEC,
            FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
        if (fd < 0)
        {
            throw new IOException("cannot create " + path + ": " + NativeErrno.Last);
        }

        Syscall.unlink(path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
