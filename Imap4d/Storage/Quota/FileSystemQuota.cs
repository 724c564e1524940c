using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Storage.Quota;

/// <summary>
/// The quota the file system itself keeps for this process's user (quotactl(2)), seen as one
/// quota root per file system, named "fs:" and its mount point. A file system without quotas,
/// or one that cannot be asked, gives no root.
/// </summary>
public sealed class FileSystemQuota
{
    public const string RootPrefix = "fs:";

    /// <summary>
    /// How long a device's mount entry, and a "no quota for this user there" answer, are reused:
    /// the mount table and quota switches change rarely, and every APPEND asks (a read of
    /// /proc/self/mountinfo and two quotactl calls were a sixth of an APPEND's system calls).
    /// A limit an administrator sets is seen within this time.
    /// </summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromSeconds(30);

    private readonly Dictionary<ulong, (MountEntry? Mount, bool NoQuota, long Until)> _devices = new();

    /// <summary>The space used and the hard limit of the file system holding <paramref name="path"/> (or its nearest existing parent).</summary>
    public (string Root, long UsedBytes, long LimitBytes)? For(string path)
    {
        string? directory = ExistingDirectory(path);
        if (directory is null || Syscall.stat(directory, out Stat st) != 0)
        {
            return null;
        }

        long now = Environment.TickCount64;
        if (!_devices.TryGetValue(st.st_dev, out var known) || now >= known.Until)
        {
            known = (MountEntry.OfDevice(st.st_dev), false, now + (long)Remembered.TotalMilliseconds);
        }
        else if (known.NoQuota)
        {
            return null;
        }

        var space = known.Mount is { } mount ? DiskQuota.SpaceOf(directory, mount.Source, Syscall.geteuid()) : null;
        _devices[st.st_dev] = known with { NoQuota = space is null };
        return space is { } found ? (RootPrefix + known.Mount!.MountPoint, found.UsedBytes, found.LimitBytes) : null;
    }

    /// <summary>The space of root <paramref name="root"/> ("fs:" and a mount point); null when it is no such root.</summary>
    public (long UsedBytes, long LimitBytes)? ForRoot(string root)
    {
        if (!root.StartsWith(RootPrefix, StringComparison.Ordinal) || root.Length == RootPrefix.Length || root.Contains('\0'))
        {
            return null;
        }

        string mountPoint = root[RootPrefix.Length..];
        return MountEntry.Of(mountPoint) is { } mount && mount.MountPoint == mountPoint
            ? DiskQuota.SpaceOf(mountPoint, mount.Source, Syscall.geteuid())
            : null;
    }

    /// <summary>The path itself when it is a directory, else its nearest existing parent directory.</summary>
    private static string? ExistingDirectory(string path)
    {
        for (string? current = path; current is { Length: > 0 }; current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(current))
            {
                return current;
            }
        }

        return null;
    }
}
