namespace Imap4d.Hosting;

/// <summary>The outcome of an access control list for one address.</summary>
public enum AclDecision
{
    /// <summary>No control allowed or denied; the connection is allowed.</summary>
    Undecided,

    Allow,

    Deny,
}
