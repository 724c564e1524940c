namespace Imap4d.Commands.Notify;

/// <summary>The event types of RFC 5465 §5; the last ones are known by name but not supported.</summary>
[Flags]
public enum NotifyEvents
{
    None = 0,
    MessageNew = 1,
    MessageExpunge = 2,
    FlagChange = 4,
    MailboxName = 8,
    SubscriptionChange = 16,
    AnnotationChange = 32,
    MailboxMetadataChange = 64,
    ServerMetadataChange = 128,
    Unknown = 256,

    /// <summary>The events about messages, the only ones SELECTED and SELECTED-DELAYED take (§6.1).</summary>
    MessageEvents = MessageNew | MessageExpunge | FlagChange | AnnotationChange,

    /// <summary>What this server reports (BADEVENT lists these, §3.1).</summary>
    Supported = MessageNew | MessageExpunge | FlagChange | MailboxName | SubscriptionChange,
}
