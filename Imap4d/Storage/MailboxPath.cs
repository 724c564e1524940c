using Imap4d.Config;

namespace Imap4d.Storage;

/// <summary>
/// A mailbox name resolved to the file system: the IMAP name (modified UTF-7, INBOX upper
/// case), the namespace prefix it falls under, and the path it maps to (inside that
/// namespace's directory, already checked).
/// </summary>
public sealed record MailboxPath(string Name, NamespacePrefix? Namespace, string FileSystemPath, char Delimiter, bool IsInbox)
{
    /// <summary>For INBOX given as a URL (`maildir://...`), the type it names; otherwise null (detect).</summary>
    public string? ForcedType { get; init; }
}
