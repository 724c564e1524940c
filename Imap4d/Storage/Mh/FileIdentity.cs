namespace Imap4d.Storage.Mh;

/// <summary>
/// What an MH index record remembers of its message file to recognise it later: inode, mtime and
/// ctime (ns), a fingerprint of its content (<see cref="MhFolder.Fingerprint"/>), and whether the
/// ctime was already older than <see cref="MhFolder.FreshNs"/> when this was taken (settled: no
/// new file can come to carry that ctime).
/// </summary>
internal readonly record struct FileIdentity(long Inode, long MtimeNs, long CtimeNs, ulong Fingerprint, bool Settled);
