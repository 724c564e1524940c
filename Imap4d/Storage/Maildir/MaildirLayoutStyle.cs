namespace Imap4d.Storage.Maildir;

/// <summary>How a tree of maildir folders lies on disk.</summary>
public enum MaildirLayoutStyle
{
    /// <summary>Maildir++ (Courier, Dovecot's default): INBOX is the root maildir, folder A/B is ROOT/.A.B, marked by a <c>maildirfolder</c> file.</summary>
    MaildirPlusPlus,

    /// <summary>A plain directory tree: folder A/B is ROOT/A/B, each one a maildir (mailutils, Dovecot LAYOUT=fs).</summary>
    Tree,
}
