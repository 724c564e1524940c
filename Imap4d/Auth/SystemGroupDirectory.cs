using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Auth;

/// <summary>
/// Groups through NSS: getgrnam(3) and getgrouplist(3). Supplementary groups are looked up only
/// for system accounts; a virtual user belongs to its own gid alone, so that a virtual name
/// that happens to equal a system user's name does not inherit that user's groups.
/// </summary>
public sealed class SystemGroupDirectory : IGroupDirectory
{
    public uint? GroupId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains('\0'))
        {
            return null;
        }

        var group = Syscall.getgrnam(name);
        return group?.gr_gid;
    }

    public IReadOnlyCollection<uint> GroupsOf(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Gid is not uint gid)
        {
            return [];
        }

        if (user.Source != SystemUserDirectory.ModuleName)
        {
            return [gid];
        }

        return GroupList.Of(user.Name, gid)?.Distinct().ToArray() ?? [gid];
    }
}
