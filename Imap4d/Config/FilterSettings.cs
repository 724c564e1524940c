namespace Imap4d.Config;

/// <summary>
/// The `filter` block (imap4d.NET extension, after maddy's imap.filter): a program run on each
/// delivered message that names its folder and adds flags or keywords, and the header that
/// marks a message as quarantined (delivered to the \Junk folder).
/// </summary>
public sealed record FilterSettings
{
    /// <summary>`command`: the filter's command line ({account_name}, {sender}, ... expanded in arguments); null for none.</summary>
    public string? Command { get; init; }

    /// <summary>`timeout`: how long the filter may run before it is killed and the message goes to INBOX unfiltered.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>`user-command-file`: a file in the user's home whose first line replaces <see cref="Command"/> for that user; null for none.</summary>
    public string? UserCommandFile { get; init; }

    /// <summary>`quarantine-header`: "Name: value" that marks a message as quarantined; null to never quarantine.</summary>
    public string? QuarantineHeader { get; init; } = "X-Spam-Flag: YES";
}
