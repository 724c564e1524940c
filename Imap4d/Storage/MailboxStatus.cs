namespace Imap4d.Storage;

/// <summary>The STATUS items (RFC 3501 §6.3.10). <see cref="Recent"/> counts messages no session has seen yet.</summary>
public sealed record MailboxStatus(uint Messages, uint Recent, uint UidNext, uint UidValidity, uint Unseen, ulong HighestModSeq = 0);
