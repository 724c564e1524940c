namespace Imap4d.Commands.Search;

/// <summary>What a search key has to read to decide; keys are evaluated cheapest first.</summary>
public enum SearchCost
{
    /// <summary>Only the message list: flags, UID, sequence number, size, INTERNALDATE.</summary>
    Info = 0,

    /// <summary>The message header.</summary>
    Header = 1,

    /// <summary>The message body.</summary>
    Body = 2,
}
