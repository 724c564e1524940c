using Imap4d.Auth;
using Mono.Unix.Native;

namespace Imap4d.Hosting;

/// <summary>The user running this process, for --preauth, `preauth stdio` and interactive mode.</summary>
public static class CurrentUser
{
    /// <summary>The passwd entry of the effective uid; null when it has none.</summary>
    public static UserInfo? Get()
    {
        uint uid = Syscall.geteuid();
        var entry = Syscall.getpwuid(uid);
        if (entry is null)
        {
            return null;
        }

        return new UserInfo(entry.pw_name, entry.pw_dir, entry.pw_uid, entry.pw_gid, "stdio");
    }
}
