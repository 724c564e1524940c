namespace Imap4d.Storage.Mh;

/// <summary>
/// What an MH index record remembers of its message file to recognise it later: inode, mtime and
/// ctime (ns), a fingerprint of its content (<see cref="MhFolder.Fingerprint"/>), and whether the
/// ctime lay before the clock tick this was taken in (settled: no
/// new file can come to carry that ctime). <paramref name="Complete"/>: we linked the file ourselves after writing and
/// fsyncing it whole, so while its ctime is unchanged it cannot still be growing (nmh's inc writes in place).
/// </summary>
internal readonly record struct FileIdentity(long Inode, long MtimeNs, long CtimeNs, ulong Fingerprint, bool Settled, bool Complete = false);
