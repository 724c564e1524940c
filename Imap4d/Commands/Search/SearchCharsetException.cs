namespace Imap4d.Commands.Search;

/// <summary>SEARCH CHARSET named a charset this server cannot convert: answered NO [BADCHARSET ...].</summary>
public sealed class SearchCharsetException(string charset) : Exception("Unsupported charset " + charset)
{
    /// <summary>The response code listing the charsets we accept.</summary>
    public const string ResponseCode = "BADCHARSET (UTF-8 US-ASCII)";

    public string Charset => charset;
}
