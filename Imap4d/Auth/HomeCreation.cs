using Imap4d.Native;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// `create-home-dir`: a missing home directory is made (one level, like GNU's mkdir; its
/// parent must exist) with `home-dir-mode` exactly, then given to the user through a
/// descriptor opened without following symlinks.
/// </summary>
internal static class HomeCreation
{
    /// <summary>Null when the home exists or was made; otherwise the NO text (details logged).</summary>
    public static string? Ensure(UserInfo user, int mode, ILogger log)
    {
        string home = user.Home;
        if (home.Length == 0 || !Path.IsPathFullyQualified(home))
        {
            log.Error("home directory of {0} is not an absolute path: \"{1}\"", user.Name, home);
            return "Cannot create the home directory";
        }

        if (Syscall.lstat(home, out _) == 0)
        {
            return null;
        }

        if (NativeErrno.Last != Errno.ENOENT)
        {
            log.Error("cannot examine the home directory {0} of {1}: {2}", home, user.Name, NativeErrno.Last);
            return "Cannot create the home directory";
        }

        if (Syscall.mkdir(home, (FilePermissions)(uint)mode) != 0)
        {
            log.Error("cannot create the home directory {0} of {1}: {2}", home, user.Name, NativeErrno.Last);
            return "Cannot create the home directory";
        }

        int fd = Syscall.open(home, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            log.Error("cannot open the new home directory {0}: {1}", home, NativeErrno.Last);
            return "Cannot create the home directory";
        }

        try
        {
            // chmod after mkdir: the umask must not change the configured mode.
            if (Syscall.fchmod(fd, (FilePermissions)(uint)mode) != 0
                || (user.Uid is uint uid && user.Gid is uint gid && Syscall.fchown(fd, uid, gid) != 0))
            {
                log.Error("cannot set owner and mode of the new home directory {0}: {1}", home, NativeErrno.Last);
                return "Cannot create the home directory";
            }
        }
        finally
        {
            Syscall.close(fd);
        }

        log.Info("created home directory {0} for {1}", home, user.Name);
        return null;
    }
}
