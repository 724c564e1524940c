namespace Imap4d.Commands.Search;

/// <summary>How a date key compares: BEFORE (earlier than), ON (same day), SINCE (same day or later).</summary>
public enum DateRelation
{
    Before,
    On,
    Since,
}
