namespace Imap4d.Config;

/// <summary>
/// Reads one `acl` control as mailutils writes it: `allow [from] NET;`, `deny [from] NET;`,
/// `log [from] NET ["TEXT"];`, `exec [from] NET "PROGRAM ARGS";`, `ifexec [from] NET "PROGRAM ARGS";`,
/// where NET is `any`/`all`, an address, `ADDR/LEN` or `ADDR/NETMASK`.
/// </summary>
public static class AclEntryParser
{
    /// <summary>The entry for statement <paramref name="action"/>; throws <see cref="FormatException"/> with a reason.</summary>
    public static AclEntry Parse(string action, IReadOnlyList<ConfigValue> values)
    {
        var kind = action switch
        {
            "allow" => AclAction.Allow,
            "deny" => AclAction.Deny,
            "log" => AclAction.Log,
            "exec" => AclAction.Exec,
            "ifexec" => AclAction.IfExec,
            _ => throw new FormatException($"unknown acl control \"{action}\""),
        };
        var words = values.Select(v => v.Text ?? throw new FormatException($"{action} does not take a list")).ToList();
        int next = words.Count > 0 && words[0] == "from" ? 1 : 0;
        if (next >= words.Count)
        {
            throw new FormatException($"{action} needs an address: {action} [from] any|ADDR[/LEN|/NETMASK]");
        }

        if (words[next] is "authenticated" or "group" or "acl")
        {
            throw new FormatException($"\"{action} {words[next]}\" is not supported; use {action} [from] any|ADDR[/LEN|/NETMASK]");
        }

        var from = IpNetwork.Parse(words[next]);
        var rest = words.Skip(next + 1).ToList();
        return kind switch
        {
            AclAction.Allow or AclAction.Deny when rest.Count == 0 => new AclEntry(kind, from),
            AclAction.Allow or AclAction.Deny => throw new FormatException($"unexpected \"{rest[0]}\" after the address of {action}"),
            AclAction.Log when rest.Count <= 1 => new AclEntry(kind, from, rest.FirstOrDefault()),
            AclAction.Log => throw new FormatException("log takes one text after the address; quote it"),
            _ when rest.Count == 0 => throw new FormatException($"{action} needs a program after the address"),
            _ => new AclEntry(kind, from, string.Join(' ', rest)),
        };
    }
}
