using Imap4d.Storage.Quota;

namespace Imap4d.Tests.Storage.Quota;

public class MountEntryTests
{
    private static readonly string[] MountInfo =
    [
        "22 27 0:21 / /proc rw,relatime - proc proc rw",
        "30 27 8:2 / /home rw,relatime shared:1 - ext4 /dev/sda2 rw,usrquota",
        "31 30 8:2 /sub /mnt/with\\040space rw - ext4 /dev/sda2 rw",
        "40 27 259:65539 / /var/mail rw - xfs /dev/nvme0n1p3 rw",
        "garbage",
    ];

    [Test]
    public void FindsTheLastMountOfTheDeviceWithOptionalFieldsAndEscapes()
    {
        ulong sda2 = (8UL << 8) | 2;
        Assert.That(MountEntry.Find(MountInfo, sda2), Is.EqualTo(new MountEntry("/mnt/with space", "/dev/sda2")));
    }

    [Test]
    public void DecodesLargeMajorAndMinorNumbers()
    {
        // glibc makedev: minor 65539 = 0x10003 keeps its low 8 bits in place and the rest shifted up by 12.
        ulong device = (259UL << 8) | 0x03 | (0x10000UL << 12);
        Assert.That(MountEntry.Find(MountInfo, device), Is.EqualTo(new MountEntry("/var/mail", "/dev/nvme0n1p3")));
    }

    [Test]
    public void UnknownDeviceGivesNothing() =>
        Assert.That(MountEntry.Find(MountInfo, (9UL << 8) | 9), Is.Null);

    [Test]
    public void FileSystemWithoutQuotaGivesNoRoot()
    {
        // The test machine's temporary directory has no user quota (tmpfs or an ext4 mounted without it).
        var quota = new FileSystemQuota();
        if (quota.For(Path.GetTempPath()) is { } found)
        {
            Assert.Ignore("the temporary directory has a file system quota: " + found.Root);
        }

        Assert.That(quota.ForRoot("fs:" + Path.GetTempPath().TrimEnd('/')), Is.Null);
        Assert.That(quota.ForRoot("fs:"), Is.Null);
        Assert.That(quota.ForRoot("elsewhere"), Is.Null);
    }
}
