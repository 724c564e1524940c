namespace Imap4d.Storage;

/// <summary>
/// What <see cref="IMailbox.Sync"/> found changed since the previous view: UIDs gone, UIDs
/// added (in order), and UIDs whose flags changed (made by others, or by this mailbox object
/// when <c>includeOwn</c> was asked).
/// </summary>
public sealed record MailboxChanges(IReadOnlyList<uint> Expunged, IReadOnlyList<uint> Added, IReadOnlyList<uint> FlagsChanged)
{
    public static MailboxChanges None { get; } = new([], [], []);

    public bool IsEmpty => Expunged.Count == 0 && Added.Count == 0 && FlagsChanged.Count == 0;
}
