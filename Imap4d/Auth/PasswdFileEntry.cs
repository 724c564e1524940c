namespace Imap4d.Auth;

/// <summary>
/// One account of a passwd-format file. <see cref="Hash"/> is a crypt(3) hash with any
/// Dovecot "{SCHEME}" prefix removed. Null uid/gid mean "keep the server's own".
/// </summary>
internal sealed record PasswdFileEntry(string Name, string Hash, uint? Uid, uint? Gid, string Home)
{
    // The hash stays out of ToString so an entry can never leak it into a log.
    public override string ToString() => $"{Name} (uid {Uid?.ToString() ?? "-"}, gid {Gid?.ToString() ?? "-"}, home {Home})";
}
