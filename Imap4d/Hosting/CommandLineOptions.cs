using System.Globalization;
using Imap4d.Logging;

namespace Imap4d.Hosting;

/// <summary>
/// The imap4d command line, compatible with GNU Mailutils imap4d 3.15.
/// Bound from the canonical arguments made by <see cref="GnuArgumentNormalizer"/> (<c>--name</c> or
/// <c>--name=value</c>) by plain code rather than a reflection-based parser, so that the trimmed
/// NativeAOT build keeps every property and a session process starts without reflection.
/// </summary>
public sealed class CommandLineOptions
{
    /// <summary>The canonical options without a value.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "daemon", "inetd", "foreground", "preauth", "test", "debug-line-info", "config-lint", "config-verbose",
        "no-site-config", "config-help", "show-config-options", "help", "usage", "version", "deliver", "lmtp",
    };

    /// <summary>The canonical options with a value, besides <c>set</c>, which may repeat.</summary>
    private static readonly HashSet<string> Valued = new(StringComparer.Ordinal)
    {
        GnuArgumentNormalizer.MaxChildrenOption, "debug-level", "log-facility", "config-file", "from", "mailbox",
    };

    /// <summary><c>-d</c>: run as a daemon. See <see cref="Mode"/> for how it combines with <c>-i</c>.</summary>
    public bool Daemon { get; init; }

    /// <summary>The NUMBER of <c>-dNUMBER</c>/<c>--daemon=NUMBER</c>: most sessions at once; null when not given.</summary>
    public int? MaxChildren { get; init; }

    /// <summary><c>-i</c>: serve one connection on stdin/stdout.</summary>
    public bool Inetd { get; init; }

    public bool Foreground { get; init; }

    public bool Preauth { get; init; }

    public bool Test { get; init; }

    public string? DebugLevel { get; init; }

    public bool DebugLineInfo { get; init; }

    /// <summary>Syslog facility name as given; checked by <see cref="Parse"/>.</summary>
    public string? LogFacility { get; init; }

    public string? ConfigFile { get; init; }

    public bool ConfigLint { get; init; }

    public bool ConfigVerbose { get; init; }

    /// <summary><c>--no-site-config</c> or <c>--no-config</c>.</summary>
    public bool NoSiteConfig { get; init; }

    /// <summary>Every <c>--set PATH=VALUE</c>, in command line order.</summary>
    public IEnumerable<string> Settings { get; init; } = [];

    public bool ConfigHelp { get; init; }

    /// <summary><c>--deliver</c>: deliver standard input to <see cref="Recipients"/> and exit.</summary>
    public bool Deliver { get; init; }

    /// <summary><c>--lmtp</c>: an LMTP session on standard input and output.</summary>
    public bool Lmtp { get; init; }

    /// <summary><c>-f</c>/<c>--from</c>: the envelope sender of a delivery.</summary>
    public string? From { get; init; }

    /// <summary><c>-m</c>/<c>--mailbox</c>: the folder a delivery goes to instead of INBOX.</summary>
    public string? DeliverFolder { get; init; }

    /// <summary>The operands of <c>--deliver</c>, in order.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    public bool ShowConfigOptions { get; init; }

    public bool Help { get; init; }

    public bool Usage { get; init; }

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

        if (Bind(normalized.Arguments) is not CommandLineOptions options)
        {
            // Unreachable unless the normalizer and this class disagree about an option.
            return UsageError(stderr, $"cannot parse the command line ({string.Join(" ", normalized.Arguments)})");
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

    /// <summary>The options the canonical <paramref name="arguments"/> set; null when one of them is not an option of this class.</summary>
    private static CommandLineOptions? Bind(IReadOnlyList<string> arguments)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var settings = new List<string>();
        var recipients = new List<string>();
        foreach (string argument in arguments)
        {
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            string body = argument[2..];
            int equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (!Flags.Contains(body))
                {
                    return null;
                }

                flags.Add(body);
                continue;
            }

            string name = body[..equals];
            string value = body[(equals + 1)..];
            if (name == "set")
            {
                settings.Add(value);
            }
            else if (name == GnuArgumentNormalizer.RecipientOption)
            {
                recipients.Add(value);
            }
            else if (Valued.Contains(name))
            {
                values[name] = value;
            }
            else
            {
                return null;
            }
        }

        int? maxChildren = null;
        if (values.TryGetValue(GnuArgumentNormalizer.MaxChildrenOption, out string? children))
        {
            if (!int.TryParse(children, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                return null;
            }

            maxChildren = number;
        }

        return new CommandLineOptions
        {
            Daemon = flags.Contains("daemon"),
            MaxChildren = maxChildren,
            Inetd = flags.Contains("inetd"),
            Foreground = flags.Contains("foreground"),
            Preauth = flags.Contains("preauth"),
            Test = flags.Contains("test"),
            DebugLevel = values.GetValueOrDefault("debug-level"),
            DebugLineInfo = flags.Contains("debug-line-info"),
            LogFacility = values.GetValueOrDefault("log-facility"),
            ConfigFile = values.GetValueOrDefault("config-file"),
            ConfigLint = flags.Contains("config-lint"),
            ConfigVerbose = flags.Contains("config-verbose"),
            NoSiteConfig = flags.Contains("no-site-config"),
            Settings = settings,
            ConfigHelp = flags.Contains("config-help"),
            Deliver = flags.Contains("deliver"),
            Lmtp = flags.Contains("lmtp"),
            From = values.GetValueOrDefault("from"),
            DeliverFolder = values.GetValueOrDefault("mailbox"),
            Recipients = recipients,
            ShowConfigOptions = flags.Contains("show-config-options"),
            Help = flags.Contains("help"),
            Usage = flags.Contains("usage"),
            Version = flags.Contains("version"),
        };
    }

    private static CommandLineResult UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"{HelpText.ProgramName}: {message}");
        stderr.WriteLine($"Try '{HelpText.ProgramName} --help' or '{HelpText.ProgramName} --usage' for more information.");
        return CommandLineResult.Exit(ExitCodes.Usage);
    }
}
