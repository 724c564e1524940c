using System.Diagnostics.CodeAnalysis;

namespace Imap4d.Hosting;

/// <summary>Either options to run with, or an exit status to return at once (after help, version or an error).</summary>
public sealed class CommandLineResult
{
    private CommandLineResult(CommandLineOptions? options, int? exitCode)
    {
        Options = options;
        ExitCode = exitCode;
    }

    public CommandLineOptions? Options { get; }

    /// <summary>Set when the program must exit now with this status.</summary>
    public int? ExitCode { get; }

    [MemberNotNullWhen(true, nameof(ExitCode))]
    [MemberNotNullWhen(false, nameof(Options))]
    public bool ShouldExit => ExitCode is not null;

    public static CommandLineResult Run(CommandLineOptions options) => new(options, null);

    public static CommandLineResult Exit(int exitCode) => new(null, exitCode);
}
