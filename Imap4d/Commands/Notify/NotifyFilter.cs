namespace Imap4d.Commands.Notify;

/// <summary>The mailbox specifiers of RFC 5465 §6 other than SELECTED and SELECTED-DELAYED.</summary>
public enum NotifyFilterKind
{
    /// <summary>Every mailbox of the personal namespaces (§6.2).</summary>
    Personal,

    /// <summary>Where new mail is delivered (§6.3): with delivery filters that may be any folder, so the same as PERSONAL, as §6.3 allows.</summary>
    Inboxes,

    /// <summary>The subscribed mailboxes, re-evaluated when the subscriptions change (§6.4).</summary>
    Subscribed,

    /// <summary>The named mailboxes and everything below them (§6.5).</summary>
    Subtree,

    /// <summary>Exactly the named mailboxes, no wildcards (§6.6).</summary>
    Mailboxes,
}

/// <summary>One event group for mailboxes other than the selected one.</summary>
public sealed record NotifyFilter(NotifyFilterKind Kind, IReadOnlyList<string> Names, NotifyEvents Events);
