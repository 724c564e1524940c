using System.Reflection;
using System.Text;

namespace Imap4d.Hosting;

/// <summary>The texts of <c>--help</c>, <c>--usage</c> and <c>--version</c>, laid out as GNU argp does.</summary>
public static class HelpText
{
    public const string ProgramName = "imap4d";
    public const string PackageName = "imap4d for .NET";

    private const int LineWidth = 79;
    private const int DescriptionColumn = 29;
    private const int UsageIndent = 12;

    public static string PackageVersion { get; } = GetPackageVersion();

    public static string Help { get; } = BuildHelp();

    public static string Usage { get; } = BuildUsage();

    public static string Version { get; } =
        $"""
        {ProgramName} ({PackageName}) {PackageVersion}
        Copyright (C) 2026 The imap4d developers.
        License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>
        This is free software: you are free to change and redistribute it.
        There is NO WARRANTY, to the extent permitted by law.

        """;

    private static string BuildHelp()
    {
        var text = new StringBuilder();
        text.Append($"Usage: {ProgramName} [OPTION...]\n");
        text.Append($"{ProgramName} -- an IMAP4rev1 server compatible with GNU Mailutils imap4d.\n");
        string? group = null;
        foreach (GnuOption option in GnuOptionTable.Options)
        {
            if (option.Group != group)
            {
                text.Append('\n');
                if (option.Group.Length > 0)
                {
                    text.Append(' ').Append(option.Group).Append('\n');
                }

                group = option.Group;
            }

            AppendOption(text, option);
        }

        text.Append('\n');
        AppendWrapped(text, "Mandatory or optional arguments to long options are also mandatory or optional for any corresponding short options.", 0);
        text.Append('\n');
        text.Append("Report bugs to the imap4d for .NET developers.\n");
        return text.ToString();
    }

    private static void AppendOption(StringBuilder text, GnuOption option)
    {
        string names = option.ShortName is char letter ? $"  -{letter}, " : "      ";
        names += "--" + (option.Negatable ? "[no-]" : "") + option.LongName + ArgumentSuffix(option);
        if (option.Alias is not null)
        {
            names += ", --" + option.Alias;
        }

        text.Append(names);
        if (names.Length + 1 >= DescriptionColumn)
        {
            text.Append('\n').Append(' ', DescriptionColumn);
        }
        else
        {
            text.Append(' ', DescriptionColumn - names.Length);
        }

        AppendWrapped(text, option.Description, DescriptionColumn);
    }

    private static string ArgumentSuffix(GnuOption option) => option.Argument switch
    {
        GnuArgument.Required => "=" + option.ArgumentName,
        GnuArgument.Optional => "[=" + option.ArgumentName + "]",
        _ => "",
    };

    /// <summary>Appends words up to <see cref="LineWidth"/>; continuation lines start at <paramref name="indent"/>.
    /// The first line is assumed to start at <paramref name="indent"/> already.</summary>
    private static void AppendWrapped(StringBuilder text, string words, int indent)
    {
        int column = indent;
        bool first = true;
        foreach (string word in words.Split(' '))
        {
            if (!first && column + 1 + word.Length > LineWidth)
            {
                text.Append('\n').Append(' ', indent);
                column = indent;
                first = true;
            }

            if (!first)
            {
                text.Append(' ');
                column++;
            }

            text.Append(word);
            column += word.Length;
            first = false;
        }

        text.Append('\n');
    }

    private static string BuildUsage()
    {
        var items = new List<string>();
        string flags = string.Concat(GnuOptionTable.Options
            .Where(o => o.ShortName is not null && o.Argument == GnuArgument.None)
            .Select(o => o.ShortName!.Value)
            .Order());
        items.Add($"[-{flags}]");
        foreach (GnuOption option in GnuOptionTable.Options.Where(o => o.ShortName is not null && o.Argument != GnuArgument.None))
        {
            string argument = option.Argument == GnuArgument.Optional ? $"[{option.ArgumentName}]" : $" {option.ArgumentName}";
            items.Add($"[-{option.ShortName}{argument}]");
        }

        var longNames = new List<string>();
        foreach (GnuOption option in GnuOptionTable.Options)
        {
            longNames.Add((option.Negatable ? "[no-]" : "") + option.LongName + ArgumentSuffix(option));
            if (option.Alias is not null)
            {
                longNames.Add(option.Alias);
            }
        }

        items.AddRange(longNames.OrderBy(name => name.Replace("[no-]", "", StringComparison.Ordinal), StringComparer.Ordinal).Select(name => $"[--{name}]"));

        var text = new StringBuilder($"Usage: {ProgramName}");
        int column = text.Length;
        foreach (string item in items)
        {
            if (column + 1 + item.Length > LineWidth)
            {
                text.Append('\n').Append(' ', UsageIndent - 1);
                column = UsageIndent - 1;
            }

            text.Append(' ').Append(item);
            column += 1 + item.Length;
        }

        return text.Append('\n').ToString();
    }

    private static string GetPackageVersion()
    {
        Version? version = typeof(HelpText).Assembly.GetName().Version;
        return version is null ? "0.0.0" : version.ToString(3);
    }
}
