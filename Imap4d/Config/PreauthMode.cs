namespace Imap4d.Config;

/// <summary>How a connection may start in the authenticated state (`preauth`).</summary>
public enum PreauthMode
{
    /// <summary>No preauthentication: every session greets with `* OK`.</summary>
    None,

    /// <summary>`stdio`: the user running imap4d.</summary>
    Stdio,

    /// <summary>`ident[://:PORT]`: the user an RFC 1413 server on the client's host names.</summary>
    Ident,

    /// <summary>`prog:///PROGRAM ARGS`: the first line a program prints.</summary>
    Program,
}
