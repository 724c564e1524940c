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

    /// <summary>The space used and the hard limit of the file system holding <paramref name="path"/> (or its nearest existing parent).</summary>
    public (string Root, long UsedBytes, long LimitBytes)? For(string path)
    {
        string? directory = ExistingDirectory(path);
        if (directory is null || MountEntry.Of(directory) is not { } mount)
        {
            return null;
        }

        return DiskQuota.SpaceOf(directory, mount.Source, Syscall.geteuid()) is { } space
            ? (RootPrefix + mount.MountPoint, space.UsedBytes, space.LimitBytes)
            : null;
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
