namespace Imap4d.Native;

/// <summary>How a child process ended: its exit status, or the signal that killed it.</summary>
public readonly record struct ChildExit(int? ExitCode, int? Signal)
{
    /// <summary>Decodes a waitpid(2) status word.</summary>
    public static ChildExit FromWaitStatus(int status) =>
        (status & 0x7f) == 0 ? new ChildExit((status >> 8) & 0xff, null) : new ChildExit(null, status & 0x7f);

    /// <summary>The child was reaped by someone else (ECHILD): how it ended is unknown.</summary>
    public static ChildExit Unknown { get; } = new(null, null);

    public override string ToString() =>
        ExitCode is int code ? $"exit status {code}" : Signal is int signal ? $"signal {signal}" : "unknown status";
}
