namespace Imap4d.Auth;

/// <summary>Group names and memberships, for `allow-groups`, `deny-groups` and `retain-groups`.</summary>
public interface IGroupDirectory
{
    /// <summary>The gid of the group called <paramref name="name"/>, or null when there is none.</summary>
    uint? GroupId(string name);

    /// <summary>Every gid the account belongs to: its primary group and its supplementary groups.</summary>
    IReadOnlyCollection<uint> GroupsOf(UserInfo user);
}
