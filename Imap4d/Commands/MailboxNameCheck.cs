using Imap4d.Protocol;

namespace Imap4d.Commands;

/// <summary>
/// Names a command would create must be valid modified UTF-7 (RFC 3501 §5.1.3), as Dovecot
/// requires; otherwise a client's raw 8-bit or broken "&amp;" names become folders no other
/// client can name. Existing folders with such names stay readable: only new names are checked.
/// </summary>
public static class MailboxNameCheck
{
    public const string InvalidText = "Mailbox name is not valid modified UTF-7";

    /// <summary>NO [CANNOT] for a name that is not valid modified UTF-7, else null.</summary>
    public static CommandResult? RefuseNew(string name) =>
        ModifiedUtf7.IsValid(name) ? null : CommandResult.No(InvalidText, "CANNOT");
}
