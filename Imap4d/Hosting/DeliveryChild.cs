using Imap4d.Delivery;
using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Hosting;

/// <summary>
/// Delivers a message as another user from a process running as root: a copy of this program
/// run as `imap4d --deliver --from=SENDER [--mailbox=FOLDER] -- USER`, with the message file as
/// standard input, that switches to the user for good before it touches a file (as a session
/// process does after login) and answers with its exit status. One message file serves every
/// recipient: it is rewound before each child.
/// </summary>
public sealed class DeliveryChild : IDisposable
{
    /// <summary>Our own options that would change what the child does, rather than which configuration it reads.</summary>
    private static readonly HashSet<string> ModeOptions = new(StringComparer.Ordinal)
    {
        "--daemon", "--inetd", "--foreground", "--test", "--preauth", "--config-verbose", "--deliver", "--lmtp",
    };

    private static readonly string[] ValuedModeOptions =
        ["--" + GnuArgumentNormalizer.MaxChildrenOption + "=", "--" + GnuArgumentNormalizer.RecipientOption + "=", "--from=", "--mailbox="];

    private readonly FileStream _file;
    private readonly string _path;
    private readonly List<string> _prefix;
    private readonly List<string> _configuration;
    private readonly bool _keepStderr;

    /// <param name="ownArguments">This process's command line, whose configuration options the child gets.</param>
    /// <param name="keepStderr">Give the child our standard error (the LDA's, which the MTA reads); else /dev/null (LMTP, whose stdout is the client).</param>
    public DeliveryChild(IncomingMessage message, IReadOnlyList<string> ownArguments, bool keepStderr)
    {
        var (path, prefix) = ChildCommandLine.Executable();
        _path = path;
        _prefix = prefix;
        _configuration = GnuArgumentNormalizer.Normalize(ownArguments).Arguments
            .Where(a => !ModeOptions.Contains(a) && !ValuedModeOptions.Any(o => a.StartsWith(o, StringComparison.Ordinal)))
            .ToList();
        _keepStderr = keepStderr;
        string file = Path.Combine(Path.GetTempPath(), $"imap4d-deliver-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _file = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.Delete(file);
        message.CopyTo(_file);
        _file.Flush();
    }

    /// <summary>Runs the delivery child for <paramref name="user"/> and waits for it.</summary>
    public DeliveryOutcome Deliver(string user, string? sender, string? folder)
    {
        var argv = new List<string>(_prefix) { "--deliver" };
        argv.AddRange(_configuration);
        if (sender is not null)
        {
            argv.Add("--from=" + sender);
        }

        if (folder is not null)
        {
            argv.Add("--mailbox=" + folder);
        }

        argv.Add("--");
        argv.Add(user);
        int fd = (int)_file.SafeFileHandle.DangerousGetHandle();
        if (Syscall.lseek(fd, 0, SeekFlags.SEEK_SET) != 0)
        {
            return new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot rewind the message file");
        }

        int devNull = FileDescriptors.OpenDevNull();
        int pid;
        try
        {
            pid = PosixSpawn.Spawn(new SpawnRequest(_path, argv, ChildEnvironment.Build([]))
            {
                Descriptors = [(fd, 0), (devNull, 1), (_keepStderr ? 2 : devNull, 2)],
            });
        }
        catch (NativeError e)
        {
            return new DeliveryOutcome(DeliveryOutcome.TempFail, "cannot start the delivery process: " + e.Message);
        }
        finally
        {
            FileDescriptors.Close(devNull);
        }

        var exit = ProcessControl.WaitFor(pid);
        return exit.ExitCode is int code
            ? new DeliveryOutcome(code, code == 0 ? "delivered" : "delivery failed")
            : new DeliveryOutcome(DeliveryOutcome.TempFail, "the delivery process ended by " + exit);
    }

    public void Dispose() => _file.Dispose();
}
