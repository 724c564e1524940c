namespace Imap4d.Storage.Index;

/// <summary>
/// One message in a <see cref="MailboxIndex"/>. <see cref="Key"/> identifies the message in
/// its driver (a maildir base name, an MH number); <see cref="Offset"/> and <see cref="Length"/>
/// locate it in a single-file mailbox (mbox); <see cref="Extra"/> is free for the driver.
/// </summary>
public sealed record IndexRecord(
    uint Uid,
    FlagSet Flags,
    DateTimeOffset InternalDate,
    long Size,
    ulong ModSeq,
    string Key,
    long Offset = 0,
    long Length = 0,
    byte[]? Extra = null);
