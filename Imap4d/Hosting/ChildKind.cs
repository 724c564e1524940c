namespace Imap4d.Hosting;

/// <summary>What a child of the daemon is doing.</summary>
public enum ChildKind
{
    /// <summary>Prestarted, waiting for a connection; does not count against max-children.</summary>
    Pooled,

    /// <summary>Serving a connection.</summary>
    Session,

    /// <summary>The login process, serving unauthenticated connections (does not count against max-children).</summary>
    Login,

    /// <summary>
    /// Runs as a user and serves that user's logged-in connections (several at once, and the
    /// next ones while it lingers); its sessions, not the process, count against max-children.
    /// </summary>
    User,
}
