namespace Imap4d.Config;

/// <summary>
/// An `acl` block: controls tried in order until one allows or denies (mailutils semantics);
/// when none decides, the connection is allowed.
/// </summary>
public sealed record AccessControlList(IReadOnlyList<AclEntry> Entries)
{
    public static AccessControlList Empty { get; } = new([]);

    public bool IsEmpty => Entries.Count == 0;

    /// <summary>This list followed by the entries of <paramref name="more"/> (a second block amends the first).</summary>
    public AccessControlList Append(AccessControlList more) => more.IsEmpty ? this : new([.. Entries, .. more.Entries]);
}
