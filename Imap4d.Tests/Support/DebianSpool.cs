using Mono.Unix.Native;

namespace Imap4d.Tests.Support;

/// <summary>
/// A mail spool laid out as Debian's /var/mail: a directory root:mail 02775 (setgid, not sticky)
/// whose parent every user can search, and one INBOX per user, owned user:mail. Needs root.
/// Without a group named mail the spool belongs to group 0 and an INBOX to the user's own group.
/// </summary>
public sealed class DebianSpool
{
    private DebianSpool(string path, uint? mailGid)
    {
        Path = path;
        MailGid = mailGid;
    }

    public string Path { get; }

    /// <summary>The gid of the group mail, when there is one.</summary>
    public uint? MailGid { get; }

    /// <summary>The gid of group mail; ignores the test when there is none.</summary>
    public static uint RequireMailGroup() =>
        Syscall.getgrnam("mail")?.gr_gid ?? throw new IgnoreException("needs a group named mail");

    /// <summary>Makes <paramref name="parent"/>/<paramref name="name"/> the spool (the parent gets 0755).</summary>
    public static DebianSpool Create(string parent, string name = "spool")
    {
        uint? mailGid = Syscall.getgrnam("mail")?.gr_gid;
        string path = System.IO.Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        Assert.That(Syscall.chmod(parent, (FilePermissions)0x1ed), Is.Zero); // 0755, so users reach the spool
        Assert.That(Syscall.chown(path, 0, mailGid ?? 0), Is.Zero);
        Assert.That(Syscall.chmod(path, (FilePermissions)0x5fd), Is.Zero); // 02775
        return new DebianSpool(path, mailGid);
    }

    /// <summary>The user's INBOX in the spool.</summary>
    public string InboxOf(SystemAccount user) => System.IO.Path.Combine(Path, user.Name);

    /// <summary>Writes the user's INBOX, user:mail with <paramref name="mode"/> (Debian's 0660 unless told).</summary>
    public string AddInbox(SystemAccount user, string content = "", int mode = 0x1b0)
    {
        string inbox = InboxOf(user);
        File.WriteAllText(inbox, content);
        Assert.That(Syscall.chown(inbox, user.Uid, MailGid ?? user.Gid), Is.Zero);
        Assert.That(Syscall.chmod(inbox, (FilePermissions)mode), Is.Zero);
        return inbox;
    }
}
