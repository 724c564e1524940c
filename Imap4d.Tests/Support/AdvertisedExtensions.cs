namespace Imap4d.Tests.Support;

/// <summary>
/// The extensions the server advertises after the base items (IMAP4rev1, LITERAL+, STARTTLS,
/// AUTH=…), in the order it lists them. Written once here, independently of the server's code,
/// so that a new extension changes one line of the tests: transcripts say <c>{EXTENSIONS}</c>,
/// C# tests use <see cref="InOrder"/> or <see cref="SortedWith"/>.
/// </summary>
public static class AdvertisedExtensions
{
    public const string InOrder =
        "ID ENABLE UTF8=ACCEPT NAMESPACE CONDSTORE QRESYNC CREATE-SPECIAL-USE CHILDREN LIST-EXTENDED LIST-STATUS " +
        "SPECIAL-USE STATUS=SIZE OBJECTID UIDPLUS MULTIAPPEND APPENDLIMIT=67108864 CATENATE UNSELECT BINARY " +
        "PREVIEW SAVEDATE PARTIAL ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH SORT SORT=DISPLAY ESORT CONTEXT=SORT " +
        "I18NLEVEL=1 THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS MOVE IDLE NOTIFY COMPRESS=DEFLATE " +
        "REPLACE QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE URLAUTH URLAUTH=BINARY URL-PARTIAL";

    /// <summary>The transcripts' placeholder for <see cref="InOrder"/>.</summary>
    public const string Placeholder = "{EXTENSIONS}";

    /// <summary>
    /// The whole capability list as Python's imaplib reports it: upper case and sorted
    /// (<c>' '.join(sorted(c.capabilities))</c>), with the base items named in <paramref name="more"/>.
    /// </summary>
    public static string SortedWith(params string[] more) =>
        string.Join(' ', InOrder.Split(' ').Concat(more).Select(c => c.ToUpperInvariant()).Order(StringComparer.Ordinal));
}
