using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

/// <summary>Groups from a table: name → gid, and user name → supplementary gids.</summary>
internal sealed class FakeGroupDirectory(Dictionary<string, uint> groups, Dictionary<string, uint[]> members) : IGroupDirectory
{
    public uint? GroupId(string name) => groups.TryGetValue(name, out uint gid) ? gid : null;

    public IReadOnlyCollection<uint> GroupsOf(UserInfo user) =>
        user.Gid is uint gid ? [gid, .. members.GetValueOrDefault(user.Name, [])] : [];
}
