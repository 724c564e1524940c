using CommandLine;
using Imap4d.Logging;

namespace Imap4d.Hosting;

/// <summary>
/// The imap4d command line, compatible with GNU Mailutils imap4d 3.15.
/// Bound by CommandLineParser from the canonical arguments made by <see cref="GnuArgumentNormalizer"/>.
/// </summary>
public sealed class CommandLineOptions
{
    /// <summary><c>-d</c>: run as a daemon. See <see cref="Mode"/> for how it combines with <c>-i</c>.</summary>
    [Option("daemon")]
    public bool Daemon { get; init; }

    /// <summary>The NUMBER of <c>-dNUMBER</c>/<c>--daemon=NUMBER</c>: most sessions at once; null when not given.</summary>
    [Option(GnuArgumentNormalizer.MaxChildrenOption)]
    public int? MaxChildren { get; init; }

    /// <summary><c>-i</c>: serve one connection on stdin/stdout.</summary>
    [Option("inetd")]
    public bool Inetd { get; init; }

    [Option("foreground")]
    public bool Foreground { get; init; }

    [Option("preauth")]
    public bool Preauth { get; init; }

    [Option("test")]
    public bool Test { get; init; }

    [Option("debug-level")]
    public string? DebugLevel { get; init; }

    [Option("debug-line-info")]
    public bool DebugLineInfo { get; init; }

    /// <summary>Syslog facility name as given; checked by <see cref="Parse"/>.</summary>
    [Option("log-facility")]
    public string? LogFacility { get; init; }

    [Option("config-file")]
    public string? ConfigFile { get; init; }

    [Option("config-lint")]
    public bool ConfigLint { get; init; }

    [Option("config-verbose")]
    public bool ConfigVerbose { get; init; }

    /// <summary><c>--no-site-config</c> or <c>--no-config</c>.</summary>
    [Option("no-site-config")]
    public bool NoSiteConfig { get; init; }

    /// <summary>Every <c>--set PATH=VALUE</c>, in command line order.</summary>
    [Option("set")]
    public IEnumerable<string> Settings { get; init; } = [];

    [Option("config-help")]
    public bool ConfigHelp { get; init; }

    [Option("show-config-options")]
    public bool ShowConfigOptions { get; init; }

    [Option("help")]
    public bool Help { get; init; }

    [Option("usage")]
    public bool Usage { get; init; }

    [Option("version")]
    public bool Version { get; init; }

    /// <summary>The mode chosen on the command line (the last of <c>-d</c>/<c>-i</c>), or null to use the configuration's.</summary>
    public ServerMode? Mode => Daemon ? ServerMode.Daemon : Inetd ? ServerMode.Inetd : null;

    /// <summary>Whether the site-wide configuration file is read; <c>--config-file</c> implies <c>--no-config</c>.</summary>
    public bool LoadSiteConfig => !NoSiteConfig && ConfigFile is null;

    /// <summary>The facility from <c>--log-facility</c>, or null when not given.</summary>
    public SyslogFacility? Facility =>
        LogFacility is not null && SyslogFacilities.TryParse(LogFacility, out SyslogFacility facility) ? facility : null;

    /// <summary>
    /// Parses <paramref name="args"/>. Help, usage and version text go to <paramref name="stdout"/> and give exit 0;
    /// usage errors go to <paramref name="stderr"/> and give exit 64 (EX_USAGE).
    /// </summary>
    public static CommandLineResult Parse(string[] args, TextWriter stdout, TextWriter stderr)
    {
        NormalizedArguments normalized = GnuArgumentNormalizer.Normalize(args);
        if (normalized.Error is string error)
        {
            return UsageError(stderr, error);
        }

        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = null;
            settings.AutoHelp = false;
            settings.AutoVersion = false;
            settings.CaseSensitive = true;
            settings.AllowMultiInstance = true;
        });
        ParserResult<CommandLineOptions> bound = parser.ParseArguments<CommandLineOptions>(normalized.Arguments);
        if (bound is not Parsed<CommandLineOptions> { Value: CommandLineOptions options })
        {
            // Unreachable unless the normalizer and this class disagree about an option.
            string reason = string.Join("; ", ((NotParsed<CommandLineOptions>)bound).Errors.Select(e => e.Tag.ToString()));
            return UsageError(stderr, $"cannot parse the command line ({reason})");
        }

        if (options.Help)
        {
            stdout.Write(HelpText.Help);
            return CommandLineResult.Exit(ExitCodes.Ok);
        }

        if (options.Usage)
        {
            stdout.Write(HelpText.Usage);
            return CommandLineResult.Exit(ExitCodes.Ok);
        }

        if (options.Version)
        {
            stdout.Write(HelpText.Version);
            return CommandLineResult.Exit(ExitCodes.Ok);
        }

        if (options.LogFacility is string facility && !SyslogFacilities.TryParse(facility, out _))
        {
            return UsageError(stderr, $"unknown syslog facility '{facility}'");
        }

        return CommandLineResult.Run(options);
    }

    private static CommandLineResult UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"{HelpText.ProgramName}: {message}");
        stderr.WriteLine($"Try '{HelpText.ProgramName} --help' or '{HelpText.ProgramName} --usage' for more information.");
        return CommandLineResult.Exit(ExitCodes.Usage);
    }
}
