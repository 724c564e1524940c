namespace Imap4d.Tests.Support;

/// <summary>A throw-away /etc/pam.d/imap4d-test-RANDOM service, removed when disposed. Needs root.</summary>
public sealed class PamServiceFile : IDisposable
{
    private PamServiceFile(string name)
    {
        Name = name;
    }

    /// <summary>The service name to give pam_start (and `pam { service }`).</summary>
    public string Name { get; }

    public string Path => "/etc/pam.d/" + Name;

    /// <summary>Ignores the test unless libpam and the named modules are installed.</summary>
    public static void RequireModules(params string[] modules)
    {
        if (!Imap4d.Native.PamNative.IsAvailable())
        {
            Assert.Ignore("libpam.so.0 is not installed");
        }

        string[] dirs = ["/lib/x86_64-linux-gnu/security", "/usr/lib/x86_64-linux-gnu/security", "/lib/aarch64-linux-gnu/security",
            "/usr/lib/aarch64-linux-gnu/security", "/lib/security", "/usr/lib/security", "/lib64/security"];
        foreach (string module in modules)
        {
            if (!dirs.Any(dir => File.Exists(System.IO.Path.Combine(dir, module))))
            {
                Assert.Ignore($"PAM module {module} is not installed (Debian: libpam-modules)");
            }
        }
    }

    public static PamServiceFile Create(string text)
    {
        var service = new PamServiceFile($"imap4d-test-{Random.Shared.Next(100000, 999999)}");
        File.WriteAllText(service.Path, text);
        return service;
    }

    public void Dispose() => File.Delete(Path);
}
