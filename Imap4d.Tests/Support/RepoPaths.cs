namespace Imap4d.Tests.Support;

/// <summary>Where the repository and the built executable are.</summary>
public static class RepoPaths
{
    /// <summary>The directory holding imap4d.sln, found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "imap4d.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("imap4d.sln not found above the test directory");
        }
    }

    /// <summary>
    /// The imap4d executable: $IMAP4D_BIN (set by `make check` to the published build), else the
    /// apphost the test project's build copied next to the tests.
    /// </summary>
    public static string Executable
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("IMAP4D_BIN");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return fromEnv;
            }

            return Path.Combine(TestContext.CurrentContext.TestDirectory, "imap4d");
        }
    }

    /// <summary>Finds a program on PATH; null when it is not installed.</summary>
    public static string? FindProgram(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
