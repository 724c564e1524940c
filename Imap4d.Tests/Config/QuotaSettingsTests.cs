using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class QuotaSettingsTests
{
    [Test]
    public void BindsRootsAndUserOverrides()
    {
        var settings = ConfigText.Bind("""
            quota {
                storage 100M;
                messages 5000;
                file-system no;
                root "Archive/" { storage 2G; }
                user alice {
                    storage 1k;
                    root "Archive/" { messages 7; }
                }
            }
            """, out var warnings);
        var quota = settings.Quota;
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(quota.FileSystem, Is.False);
            Assert.That(quota.For("bob"), Is.EquivalentTo(new Dictionary<string, QuotaLimits>
            {
                [""] = new(100L << 20, 5000),
                ["Archive/"] = new(2L << 30, null),
            }));
            Assert.That(quota.For("alice"), Is.EquivalentTo(new Dictionary<string, QuotaLimits>
            {
                [""] = new(1024, 5000),
                ["Archive/"] = new(2L << 30, 7),
            }));
        });
    }

    [Test]
    public void NoQuotaBlockMeansNoRootsAndFileSystemQuotaOn()
    {
        var quota = ConfigText.Bind("").Quota;
        Assert.That(quota.For("anyone"), Is.Empty);
        Assert.That(quota.FileSystem, Is.True);
    }

    [TestCase("quota { storage 12X; }")]
    [TestCase("quota { storage -1; }")]
    [TestCase("quota { storage 99999999999T; }")]
    public void RejectsBadSizes(string text) =>
        Assert.That(ConfigText.ErrorOf(text), Does.Contain("takes a size in bytes"));
}
