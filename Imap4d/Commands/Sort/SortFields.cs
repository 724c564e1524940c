namespace Imap4d.Commands.Sort;

/// <summary>What a SORT or THREAD needs to know of each message's header (see <see cref="SortRecord"/>).</summary>
[Flags]
public enum SortFields
{
    None = 0,
    Date = 1,
    Subject = 2,
    From = 4,
    To = 8,
    Cc = 16,
    DisplayFrom = 32,
    DisplayTo = 64,

    /// <summary>Message-ID and the references (References:, else In-Reply-To:).</summary>
    Links = 128,
}
