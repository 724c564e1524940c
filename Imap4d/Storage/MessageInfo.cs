namespace Imap4d.Storage;

/// <summary>
/// One message as a mailbox lists it. <see cref="Size"/> is RFC822.SIZE: the client view
/// (CRLF line ends, bookkeeping headers removed). <see cref="ModSeq"/> grows with every flag
/// change (room for CONDSTORE).
/// </summary>
public sealed record MessageInfo(uint Uid, FlagSet Flags, DateTimeOffset InternalDate, long Size, ulong ModSeq = 1);
