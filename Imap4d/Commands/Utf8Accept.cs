using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

/// <summary>
/// RFC 6855 UTF8=ACCEPT: once a client ENABLEs it, mailbox names travel as UTF-8 both ways (below
/// the protocol they stay modified UTF-7, as on disk), and APPEND takes <c>UTF8 (~{n})</c> messages.
/// </summary>
public static class Utf8Accept
{
    public const string Capability = "UTF8=ACCEPT";

    /// <summary>Mailbox names travel as UTF-8: after ENABLE UTF8=ACCEPT, or ENABLE IMAP4rev2 (RFC 9051 §5.1).</summary>
    public static bool NamesInUtf8(SessionData session) => session.Enabled.Contains(Capability) || Imap4Rev2.IsEnabled(session);

    /// <summary>A name or pattern read without <see cref="ArgReader.ExpectMailbox"/>, in the form the store uses.</summary>
    public static string NameIn(ArgReader args, string name) => args.StoredName(name);

    /// <summary>A stored (modified UTF-7) name as the client reads it: UTF-8 once UTF8=ACCEPT or IMAP4rev2 is enabled.</summary>
    public static string NameOut(CommandContext context, string name) =>
        NamesInUtf8(context.Session) && ModifiedUtf7.TryDecode(name, out string text) ? text : name;
}
