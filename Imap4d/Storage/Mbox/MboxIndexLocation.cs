using Imap4d.Storage.State;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Where the index of an mbox lives (its cache and append journal go beside it):
/// <c>DIR/.imap4d/NAME.index</c> when DIR, the mbox's directory, is private to the user (ours,
/// not writable by group or others: a folder directory in the home), otherwise, and always
/// when `index-directory` is configured, <c>STATE/index/NAME-HASH.index</c> in the user's
/// <see cref="UserStateDirectory"/> (HASH from the full path). A shared directory such as
/// Debian's /var/mail (root:mail 2775) is never written to. Empty when there is no safe place
/// at all: the mailbox is then served with an index in memory only.
/// The driver takes any other strategy as a constructor argument.
/// </summary>
public static class MboxIndexLocation
{
    public const string DirectoryName = ".imap4d";

    /// <summary>For this process's $HOME (tests, tools).</summary>
    public static string Default(string mailboxPath) => For(mailboxPath, UserStateDirectory.FromEnvironment());

    public static string For(string mailboxPath, UserStateDirectory state)
    {
        string full = Path.GetFullPath(mailboxPath);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string name = Path.GetFileName(full);
        if (!state.Forced && PrivateFiles.IsPrivateDirectory(directory))
        {
            string own = Path.Combine(directory, DirectoryName);
            if (Syscall.lstat(own, out _) != 0 || PrivateFiles.IsPrivateDirectory(own, followLinks: false))
            {
                return Path.Combine(own, name + ".index");
            }
        }

        RemoveLeftovers(Path.Combine(directory, DirectoryName), name);
        return state.FileFor(full, ".index") ?? string.Empty;
    }

    /// <summary>
    /// Earlier versions kept the index and cache of a spool mailbox in the spool
    /// (<c>/var/mail/.imap4d/USER.cache</c>, readable by every local user): the user's own
    /// leftovers there are removed.
    /// </summary>
    private static void RemoveLeftovers(string spoolState, string name)
    {
        if (Syscall.lstat(spoolState, out Stat dir) != 0 || (dir.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR)
        {
            return;
        }

        foreach (string leftover in new[] { name + ".index", name + ".cache", name + ".index.append" })
        {
            string path = Path.Combine(spoolState, leftover);
            if (Syscall.lstat(path, out Stat st) == 0 && st.st_uid == Syscall.geteuid())
            {
                Syscall.unlink(path);
            }
        }
    }

}
