using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>
/// RFC 9051 IMAP4rev2, advertised beside IMAP4rev1 (RFC 9051 Appendix A). A session speaks
/// IMAP4rev2 only after <c>ENABLE IMAP4rev2</c>; until then every answer is IMAP4rev1's, as
/// before. <see cref="IsEnabled"/> is the one place that says which a session speaks. Once on
/// (RFC 9051 Appendix E): no \Recent flag and no RECENT response; SELECT sends its mailbox's LIST
/// line and [CLOSED] when it replaces a selection, and no [UNSEEN n]; unsolicited FETCH carries
/// the UID; SEARCH answers with ESEARCH (ALL without RETURN); STATUS knows DELETED; DELETE of a
/// \Noselect name with children says [HASCHILDREN]; mailbox names are UTF-8, as with UTF8=ACCEPT.
/// </summary>
public static class Imap4Rev2
{
    public const string Capability = "IMAP4rev2";

    public static bool IsEnabled(SessionData session) => session.Enabled.Contains(Capability);
}
