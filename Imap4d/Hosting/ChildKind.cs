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
}
