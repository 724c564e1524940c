namespace Imap4d.Commands.Search;

/// <summary>One node of a parsed SEARCH program (RFC 3501 §6.4.4 search-key).</summary>
public abstract class SearchKey
{
    /// <summary>The most expensive thing this key (or any key under it) reads.</summary>
    public abstract SearchCost Cost { get; }

    public abstract bool Matches(SearchMessage message);

    /// <summary>The keys directly below this one (for compiling the program).</summary>
    public virtual IEnumerable<SearchKey> Children => [];
}
