namespace Imap4d.Config;

/// <summary>
/// Reads the configuration sources in mailutils order: the site file `/etc/mailutils.conf`
/// (its common statements and `program imap4d { }` sections), then `/etc/mailutils.d/imap4d`
/// when present, or only the `--config-file` file (whose `program` sections GNU ignores, and so
/// do we); then the `--set` assignments.
/// </summary>
public static class ConfigLoader
{
    public const string ProgramName = "imap4d";

    public static ConfigTree Load(ConfigSourceOptions options)
    {
        var context = new ConfigReadContext(options.ProgramName, options.Verbose);
        var nodes = new List<ConfigNode>();
        if (options.ConfigFile is { } configFile)
        {
            if (!options.NoConfig)
            {
                // GNU reads `program NAME { }` sections only in the site file; in this one they are
                // ignored (with a note, see SettingsBinder), `program imap4d` included.
                nodes.AddRange(ReadFile(configFile, context, required: true));
            }
        }
        else if (!options.NoConfig)
        {
            if (!options.NoSiteConfig)
            {
                nodes.AddRange(ReadProgramSections(options.SiteConfigFile, options.ProgramName, context, required: false));
            }

            nodes.AddRange(ReadProgramSections(options.ProgramConfigFile, options.ProgramName, context, required: false));
        }

        for (var i = 0; i < options.Assignments.Count; i++)
        {
            nodes.Add(SetAssignment.Parse(options.Assignments[i], new SourceLocation("--set", i + 1)));
        }

        return new ConfigTree(nodes, context.FilesRead);
    }

    /// <summary>
    /// Top-level statements of a file shared by all mailutils programs, with the contents of
    /// `program NAME { }` spliced in place and other programs' sections dropped.
    /// </summary>
    public static IReadOnlyList<ConfigNode> SelectProgram(IReadOnlyList<ConfigNode> nodes, string programName)
    {
        var selected = new List<ConfigNode>();
        foreach (var node in nodes)
        {
            if (node.Name != "program")
            {
                selected.Add(node);
                continue;
            }

            if (!node.IsBlock || node.Values is not [{ Text: { } name }])
            {
                throw new ConfigException(node.Location, "program needs a name and a block: program NAME { ... }");
            }

            if (name == programName)
            {
                selected.AddRange(node.Children!);
            }
        }

        return selected;
    }

    private static IReadOnlyList<ConfigNode> ReadProgramSections(string path, string programName, ConfigReadContext context, bool required) =>
        SelectProgram(ReadFile(path, context, required), programName);

    private static IReadOnlyList<ConfigNode> ReadFile(string path, ConfigReadContext context, bool required)
    {
        if (!File.Exists(path))
        {
            if (required)
            {
                throw new ConfigException(new SourceLocation(path, 0), "cannot read configuration file: no such file");
            }

            return [];
        }

        return ConfigParser.ParseFile(path, context);
    }
}
