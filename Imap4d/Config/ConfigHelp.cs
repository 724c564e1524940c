using System.Reflection;

namespace Imap4d.Config;

/// <summary>
/// `--config-help`: the schema printed as an annotated configuration file, GNU style
/// (`# description` above `statement &lt;arg&gt;;`); and `--show-config-options`.
/// </summary>
public static class ConfigHelp
{
    private const string NotImplementedNote = " [not implemented yet; ignored]";

    public static void Write(TextWriter output)
    {
        output.WriteLine($"# Configuration file structure for {ConfigLoader.ProgramName} utility.");
        output.WriteLine("# For use in global configuration file (/etc/mailutils.conf), enclose it");
        output.WriteLine($"# in `program {ConfigLoader.ProgramName} {{ ... }};'");
        output.WriteLine("#");
        output.WriteLine($"# Statements marked{NotImplementedNote} are checked, then");
        output.WriteLine("# ignored with a warning.");
        output.WriteLine("#");
        foreach (var entry in ConfigSchema.Root.Children)
        {
            WriteEntry(output, entry, "", parentImplemented: true);
        }
    }

    /// <summary>Compile-time settings, one `NAME=VALUE` or `FLAG` a line, as mailutils programs print them.</summary>
    public static void ShowConfigOptions(TextWriter output)
    {
        var assembly = typeof(ConfigHelp).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var defaults = new ConfigSourceOptions();
        output.WriteLine($"VERSION={version}");
        output.WriteLine("MAILUTILS_COMPAT=3.15");
        output.WriteLine("SYSCONFDIR=/etc");
        output.WriteLine($"SITE_CONFIG_FILE={defaults.SiteConfigFile}");
        output.WriteLine($"PROGRAM_CONFIG_FILE={defaults.ProgramConfigFile}");
        output.WriteLine("MAILSPOOLDIR=/var/mail/");
        output.WriteLine("SCHEME=mbox");
        output.WriteLine("LOG_FACILITY=mail");
        output.WriteLine("IPV6");
        output.WriteLine("WITH_VIRTUAL_USERS");
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = "";
            }

            line = line.Length == 0 ? word : line + " " + word;
        }

        yield return line;
    }

    /// <summary>`&lt;arg: type&gt;`, with words that hold `(`, `,` and the like quoted so the output still parses.</summary>
    private static string Placeholder(string argument) =>
        string.Join(' ', (argument.StartsWith('[') || argument.StartsWith('<') ? argument : $"<{argument}>").Split(' ').Select(word => word.All(ConfigSyntax.IsWordChar) ? word : ConfigSyntax.Quote(word)));

    /// <param name="parentImplemented">False inside a block already marked as not implemented: no need to repeat it.</param>
    private static void WriteEntry(TextWriter output, ConfigSchemaEntry entry, string indent, bool parentImplemented)
    {
        var description = entry.Description + (entry.Implemented || !parentImplemented ? "" : NotImplementedNote);
        foreach (var line in Wrap(description, 76 - indent.Length))
        {
            output.WriteLine($"{indent}# {line}");
        }

        if (!entry.IsBlock)
        {
            output.WriteLine($"{indent}{entry.Name} {Placeholder(entry.Argument!)};");
            return;
        }

        var label = entry.LabelType is null ? "" : " " + Placeholder(entry.Argument!);
        output.WriteLine($"{indent}{entry.Name}{label} {{");
        if (entry.FreeForm)
        {
            output.WriteLine($"{indent}  # The statements of this module (see the GNU Mailutils manual).");
        }

        foreach (var child in entry.Children)
        {
            WriteEntry(output, child, indent + "  ", entry.Implemented && parentImplemented);
        }

        output.WriteLine($"{indent}}};");
    }
}
