using System.Security.Cryptography;
using System.Text;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Where the index of an mbox lives: <c>DIR/.imap4d/NAME.index</c> when the mbox's directory is
/// writable (and not a sticky spool owned by someone else), otherwise <c>$HOME/.imap4d/index/NAME-HASH.index</c> (HASH from the full path).
/// The driver takes any other strategy as a constructor argument.
/// </summary>
public static class MboxIndexLocation
{
    public static string Default(string mailboxPath)
    {
        string full = Path.GetFullPath(mailboxPath);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string name = Path.GetFileName(full);
        if (Syscall.access(directory, AccessModes.W_OK) == 0 && !SharedSpool(directory))
        {
            return Path.Combine(directory, ".imap4d", name + ".index");
        }

        string home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Path.GetTempPath();
        return InDirectory(Path.Combine(home, ".imap4d", "index"), full);
    }

    /// <summary>
    /// A sticky directory we do not own (/var/mail, /var/spool/mail): every user could create
    /// DIR/.imap4d but only the first one could use it, so indexes go to $HOME there.
    /// </summary>
    private static bool SharedSpool(string directory) =>
        Syscall.stat(directory, out Stat st) == 0
        && (st.st_mode & FilePermissions.S_ISVTX) != 0
        && st.st_uid != Syscall.geteuid();

    /// <summary>An index path for <paramref name="mailboxPath"/> inside one directory shared by many mailboxes.</summary>
    public static string InDirectory(string directory, string mailboxPath)
    {
        string full = Path.GetFullPath(mailboxPath);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        return Path.Combine(directory, Path.GetFileName(full) + "-" + hash + ".index");
    }
}
