using System.Globalization;

namespace Imap4d.Hosting;

/// <summary>The outcome of <see cref="GnuArgumentNormalizer.Normalize"/>: canonical arguments, or a usage error.</summary>
public sealed record NormalizedArguments(IReadOnlyList<string> Arguments, string? Error)
{
    public bool IsError => Error is not null;
}

/// <summary>
/// Rewrites a GNU getopt-style command line into a canonical one that <see cref="CommandLineOptions"/> binds.
/// </summary>
/// <remarks>
/// All of GNU syntax is interpreted here, in one place: optional arguments (<c>-d</c>, <c>-d5</c>,
/// <c>--daemon=5</c>), <c>--no-</c> negations, last-one-wins repetition, short-option clusters and
/// abbreviated long options. The output uses only full
/// long names in <c>--name</c> / <c>--name=value</c> form, each option at most once except
/// <c>--set</c>, and never a positional word. As with getopt, options and operands may be mixed;
/// any operand is an error because imap4d takes none. <c>--help</c>, <c>--usage</c> and
/// <c>--version</c> act when reached, so errors after them are never reported.
/// </remarks>
public static class GnuArgumentNormalizer
{
    /// <summary>Canonical option carrying the NUMBER of <c>--daemon=NUMBER</c>; not accepted from users.</summary>
    public const string MaxChildrenOption = "max-children";

    /// <summary>Canonical option carrying one operand of <c>--deliver</c> (a recipient); not accepted from users.</summary>
    public const string RecipientOption = "recipient";

    private sealed record LongName(string Name, GnuOption Option, bool Negated);

    private static readonly IReadOnlyList<LongName> LongNames = BuildLongNames();

    public static NormalizedArguments Normalize(IReadOnlyList<string> args)
    {
        var state = new ParsedState();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                state.Operands.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            string? error;
            GnuOption? immediate;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                (error, immediate) = ParseLong(args, ref i, state);
            }
            else
            {
                (error, immediate) = ParseShortCluster(args, ref i, state);
            }

            if (error is not null)
            {
                return Failure(error);
            }

            if (immediate is not null)
            {
                return new NormalizedArguments(["--" + immediate.LongName], null);
            }
        }

        // Only --deliver takes operands: the recipients.
        if (state.Operands.Count > 0 && !(state.Flags.TryGetValue("deliver", out bool deliver) && deliver))
        {
            return Failure($"extra operand '{state.Operands[0]}'");
        }

        return new NormalizedArguments(state.ToCanonical(), null);
    }

    private static (string? Error, GnuOption? Immediate) ParseLong(IReadOnlyList<string> args, ref int i, ParsedState state)
    {
        string body = args[i][2..];
        int equals = body.IndexOf('=', StringComparison.Ordinal);
        string written = equals < 0 ? body : body[..equals];
        string? attached = equals < 0 ? null : body[(equals + 1)..];

        List<LongName> candidates = LongNames.Where(n => n.Name.StartsWith(written, StringComparison.Ordinal)).ToList();
        LongName? exact = candidates.FirstOrDefault(n => n.Name == written);
        if (exact is not null)
        {
            candidates = [exact];
        }

        if (candidates.Count == 0 || written.Length == 0)
        {
            return ($"unrecognized option '--{written}'", null);
        }

        if (candidates.Select(c => (c.Option, c.Negated)).Distinct().Count() > 1)
        {
            string possibilities = string.Join(" ", candidates.Select(c => $"'--{c.Name}'"));
            return ($"option '--{written}' is ambiguous; possibilities: {possibilities}", null);
        }

        LongName match = candidates[0];
        GnuOption option = match.Option;
        string? value = attached;
        switch (option.Argument)
        {
            case GnuArgument.None when attached is not null:
                return ($"option '--{match.Name}' doesn't allow an argument", null);
            case GnuArgument.Required when attached is null:
                if (i + 1 >= args.Count)
                {
                    return ($"option '--{match.Name}' requires an argument", null);
                }

                value = args[++i];
                break;
        }

        return Apply(option, match.Negated, value, state);
    }

    private static (string? Error, GnuOption? Immediate) ParseShortCluster(IReadOnlyList<string> args, ref int i, ParsedState state)
    {
        string cluster = args[i];
        for (int j = 1; j < cluster.Length; j++)
        {
            char letter = cluster[j];
            GnuOption? option = GnuOptionTable.Options.FirstOrDefault(o => o.ShortName == letter);
            if (option is null)
            {
                return ($"invalid option -- '{letter}'", null);
            }

            string? value = null;
            string rest = cluster[(j + 1)..];
            if (option.Argument == GnuArgument.Optional && rest.Length > 0)
            {
                // As in getopt, an optional argument swallows the rest of the cluster: -di means NUMBER "i".
                value = rest;
                j = cluster.Length;
            }
            else if (option.Argument == GnuArgument.Required)
            {
                if (rest.Length > 0)
                {
                    value = rest;
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    return ($"option requires an argument -- '{letter}'", null);
                }

                j = cluster.Length;
            }

            var (error, immediate) = Apply(option, negated: false, value, state);
            if (error is not null || immediate is not null)
            {
                return (error, immediate);
            }
        }

        return (null, null);
    }

    private static (string? Error, GnuOption? Immediate) Apply(GnuOption option, bool negated, string? value, ParsedState state)
    {
        if (GnuOptionTable.IsImmediateExit(option))
        {
            return (null, option);
        }

        switch (option.LongName)
        {
            case "daemon":
                if (value is not null)
                {
                    if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint children) || children > int.MaxValue)
                    {
                        return ($"{value}: bad argument", null);
                    }

                    state.MaxChildren = (int)children;
                }

                state.Mode = ServerMode.Daemon;
                break;
            case "inetd":
                // -d and -i override each other; --no-inetd only undoes an earlier -i.
                if (!negated)
                {
                    state.Mode = ServerMode.Inetd;
                }
                else if (state.Mode == ServerMode.Inetd)
                {
                    state.Mode = null;
                }

                break;
            case "set":
                state.Settings.Add(value!);
                break;
            default:
                if (option.Argument == GnuArgument.None)
                {
                    state.Flags[option.LongName] = !negated;
                }
                else
                {
                    state.Values[option.LongName] = value!;
                }

                break;
        }

        return (null, null);
    }

    private static NormalizedArguments Failure(string message) => new([], message);

    private static List<LongName> BuildLongNames()
    {
        var names = new List<LongName>();
        foreach (GnuOption option in GnuOptionTable.Options)
        {
            names.Add(new LongName(option.LongName, option, false));
            if (option.Alias is not null)
            {
                names.Add(new LongName(option.Alias, option, false));
            }

            if (option.Negatable)
            {
                names.Add(new LongName("no-" + option.LongName, option, true));
            }
        }

        return names;
    }

    /// <summary>What the command line said so far; later options override earlier ones.</summary>
    private sealed class ParsedState
    {
        public ServerMode? Mode { get; set; }
        public int? MaxChildren { get; set; }
        public Dictionary<string, bool> Flags { get; } = [];
        public Dictionary<string, string> Values { get; } = [];
        public List<string> Settings { get; } = [];
        public List<string> Operands { get; } = [];

        public List<string> ToCanonical()
        {
            var canonical = new List<string>();
            if (Mode is ServerMode mode)
            {
                canonical.Add(mode == ServerMode.Daemon ? "--daemon" : "--inetd");
            }

            if (MaxChildren is int children)
            {
                canonical.Add($"--{MaxChildrenOption}={children.ToString(CultureInfo.InvariantCulture)}");
            }

            foreach (GnuOption option in GnuOptionTable.Options)
            {
                if (Flags.TryGetValue(option.LongName, out bool on) && on)
                {
                    canonical.Add("--" + option.LongName);
                }

                if (Values.TryGetValue(option.LongName, out string? value))
                {
                    canonical.Add($"--{option.LongName}={value}");
                }
            }

            canonical.AddRange(Settings.Select(setting => "--set=" + setting));
            canonical.AddRange(Operands.Select(operand => $"--{RecipientOption}={operand}"));
            return canonical;
        }
    }
}
