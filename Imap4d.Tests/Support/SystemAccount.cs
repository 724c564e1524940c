using System.Diagnostics;
using Mono.Unix.Native;

namespace Imap4d.Tests.Support;

/// <summary>
/// A throw-away system user with a home directory and a SHA-512 password, for tests that run
/// as root; removed with its home in <see cref="Dispose"/>. Names are "i4a" + random digits + a tag.
/// </summary>
public sealed class SystemAccount : IDisposable
{
    private SystemAccount(string name, string password)
    {
        Name = name;
        Password = password;
        var entry = Syscall.getpwnam(name) ?? throw new InvalidOperationException("useradd did not create " + name);
        Uid = entry.pw_uid;
        Gid = entry.pw_gid;
        Home = entry.pw_dir;
    }

    public string Name { get; }

    public string Password { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    public string Home { get; }

    /// <summary>Ignores the test unless it runs as root with useradd, userdel and chpasswd.</summary>
    public static void RequireRootTools()
    {
        if (Syscall.geteuid() != 0)
        {
            Assert.Ignore("needs root");
        }

        foreach (string tool in new[] { "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/chpasswd", "/usr/sbin/groupadd", "/usr/sbin/groupdel" })
        {
            if (!File.Exists(tool))
            {
                Assert.Ignore("needs " + tool);
            }
        }
    }

    /// <summary>Creates the user with its own group, a 0700 home and the given password.</summary>
    public static SystemAccount Create(string tag, string password, params string[] supplementaryGroups)
    {
        string name = $"i4a{Random.Shared.Next(100000, 999999)}{tag}";
        var args = new List<string> { "-m", "-d", "/home/" + name, "-s", "/usr/sbin/nologin", "-U" };
        if (supplementaryGroups.Length > 0)
        {
            args.Add("-G");
            args.Add(string.Join(",", supplementaryGroups));
        }

        args.Add(name);
        Run("/usr/sbin/useradd", null, [.. args]);
        try
        {
            Run("/usr/sbin/chpasswd", $"{name}:{password}\n", "-c", "SHA512");
            var account = new SystemAccount(name, password);
            Syscall.chmod(account.Home, FilePermissions.S_IRWXU);
            return account;
        }
        catch
        {
            Run("/usr/sbin/userdel", null, "-r", name);
            throw;
        }
    }

    /// <summary>Creates a group named "i4a" + random digits + tag; returns its name.</summary>
    public static string CreateGroup(string tag)
    {
        string name = $"i4a{Random.Shared.Next(100000, 999999)}{tag}";
        Run("/usr/sbin/groupadd", null, name);
        return name;
    }

    public static void DeleteGroup(string name) => Run("/usr/sbin/groupdel", null, name);

    /// <summary>Gives a file or directory (not following a symlink) to this user.</summary>
    public void Own(string path, int mode = -1)
    {
        Assert.That(Syscall.lchown(path, Uid, Gid), Is.Zero, "lchown " + path);
        if (mode >= 0)
        {
            Assert.That(Syscall.chmod(path, (FilePermissions)(uint)mode), Is.Zero, "chmod " + path);
        }
    }

    public void Dispose()
    {
        // userdel refuses while a process of the user runs; the tests have ended theirs.
        Run("/usr/sbin/userdel", null, "-r", "-f", Name);
    }

    public static void Run(string program, string? input, params string[] arguments)
    {
        var (code, output) = ExternalProgram.Run(program, arguments, input);
        // userdel -r warns (exit 12) when the mail spool file is missing; the user is gone anyway.
        if (code != 0 && !(program.EndsWith("userdel", StringComparison.Ordinal) && code == 12))
        {
            throw new InvalidOperationException($"{program} {string.Join(" ", arguments)}: exit {code}: {output}");
        }
    }
}
