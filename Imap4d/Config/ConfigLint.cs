namespace Imap4d.Config;

/// <summary>`--config-lint`: load and bind the configuration, report problems, give the exit status.</summary>
public static class ConfigLint
{
    /// <summary>sysexits.h EX_CONFIG, what mailutils programs exit with on a configuration error.</summary>
    public const int ExitConfigError = 78;

    /// <summary>Prints warnings and the error (if any) to <paramref name="errors"/>; returns 0 or <see cref="ExitConfigError"/>.</summary>
    public static int Run(ConfigSourceOptions options, TextWriter errors)
    {
        try
        {
            SettingsBinder.Bind(ConfigLoader.Load(options), out var warnings);
            foreach (var warning in warnings)
            {
                errors.WriteLine($"{ConfigLoader.ProgramName}: {warning}");
            }

            return 0;
        }
        catch (ConfigException e)
        {
            errors.WriteLine($"{ConfigLoader.ProgramName}: {e.Message}");
            return ExitConfigError;
        }
    }
}
