namespace Imap4d.Storage;

/// <summary>
/// RFC 6154 special-use attributes. A mailbox has those the `special-use` statement gives its
/// name and those CREATE (USE (...)) gave it (kept in the user's state directory, see
/// <see cref="State.MailboxNameMap"/>). In LIST replies they are one space-separated string.
/// </summary>
public static class SpecialUse
{
    /// <summary>Every attribute RFC 6154 defines (the `special-use` statement accepts them all).</summary>
    public static readonly IReadOnlyList<string> Attributes = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    /// <summary>
    /// Those CREATE accepts: \All and \Flagged name virtual mailboxes (every message, the flagged
    /// ones) that this server cannot make, so CREATE refuses them with [USEATTR].
    /// </summary>
    public static readonly IReadOnlyList<string> Creatable = [@"\Archive", @"\Drafts", @"\Junk", @"\Sent", @"\Trash"];

    /// <summary>The attribute as RFC 6154 spells it, for any case of it; null for one it does not define.</summary>
    public static string? Canonical(string attribute) =>
        Attributes.FirstOrDefault(a => a.Equals(attribute, StringComparison.OrdinalIgnoreCase));

    /// <summary>The configured attribute and the stored ones, without repeats; null for none.</summary>
    public static string? Merge(string? configured, string? stored)
    {
        if (stored is null)
        {
            return configured;
        }

        var all = new List<string>();
        foreach (string attribute in (configured + " " + stored).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!all.Contains(attribute, StringComparer.OrdinalIgnoreCase))
            {
                all.Add(attribute);
            }
        }

        return all.Count == 0 ? null : string.Join(' ', all);
    }
}
