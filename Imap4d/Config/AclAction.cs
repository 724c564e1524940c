namespace Imap4d.Config;

/// <summary>What an `acl` entry does when the client's address matches (mailutils' five controls).</summary>
public enum AclAction
{
    /// <summary>`allow`: admit the connection; later entries are not looked at.</summary>
    Allow,

    /// <summary>`deny`: refuse the connection; later entries are not looked at.</summary>
    Deny,

    /// <summary>`log`: log the address (or the expanded text) and go on.</summary>
    Log,

    /// <summary>`exec`: start a program without waiting for it, and go on.</summary>
    Exec,

    /// <summary>`ifexec`: run a program; exit 0 allows, 1 denies, anything else goes on.</summary>
    IfExec,
}
