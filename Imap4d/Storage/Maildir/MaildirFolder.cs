namespace Imap4d.Storage.Maildir;

/// <summary>A folder found by <see cref="MaildirLayout.Enumerate"/>: its IMAP name, its directory, and whether it is a maildir (else \Noselect).</summary>
public sealed record MaildirFolder(string Name, string Path, bool Selectable);
