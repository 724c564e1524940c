using Imap4d.Config;

namespace Imap4d.Auth;

/// <summary>
/// `deny-users`, `allow-users`, `deny-groups` and `allow-groups`, checked in that order after
/// authentication, against the account that will be served (GNU imap4d's
/// imap4d_session_setup0). User names compare exactly; a group matches when it is the
/// account's primary group or one of its supplementary groups; unknown group names match nobody.
/// </summary>
public sealed class AccessRules
{
    private readonly AuthSettings _settings;
    private readonly IGroupDirectory _groups;

    public AccessRules(AuthSettings settings, IGroupDirectory groups)
    {
        _settings = settings;
        _groups = groups;
    }

    /// <summary>Whether any list is configured (nothing to check otherwise).</summary>
    public bool IsEmpty =>
        _settings.AllowUsers is null && _settings.DenyUsers is null && _settings.AllowGroups is null && _settings.DenyGroups is null;

    /// <summary>Null when <paramref name="user"/> may log in; otherwise the reason, for the log only.</summary>
    public string? Check(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_settings.DenyUsers is { } denyUsers && denyUsers.Contains(user.Name, StringComparer.Ordinal))
        {
            return $"{user.Name} is in deny-users";
        }

        if (_settings.AllowUsers is { } allowUsers && !allowUsers.Contains(user.Name, StringComparer.Ordinal))
        {
            return $"{user.Name} is not in allow-users";
        }

        if (_settings.DenyGroups is null && _settings.AllowGroups is null)
        {
            return null;
        }

        var memberOf = _groups.GroupsOf(user);
        if (_settings.DenyGroups is { } denyGroups && InAny(denyGroups, memberOf))
        {
            return $"{user.Name} is in deny-groups";
        }

        if (_settings.AllowGroups is { } allowGroups && !InAny(allowGroups, memberOf))
        {
            return $"{user.Name} is not in allow-groups";
        }

        return null;
    }

    private bool InAny(IReadOnlyList<string> groupNames, IReadOnlyCollection<uint> memberOf) =>
        groupNames.Any(name => _groups.GroupId(name) is uint gid && memberOf.Contains(gid));
}
