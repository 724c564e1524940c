namespace Imap4d.Tests.Config;

/// <summary>`mailbox { folder DIR; }`: the directory of the default personal prefix "" (issue 11).</summary>
public class MailboxFolderTests
{
    [TestCase("mailbox { folder Mail; }", "$home/Mail")]
    [TestCase("mailbox { folder \"~/Mail/\"; }", "$home/Mail")]
    [TestCase("mailbox { folder \"/srv/mail/$user\"; }", "/srv/mail/$user")]
    [TestCase("mailbox { folder \"~\"; }", "$home")]
    [TestCase("", "$home")]
    public void FolderIsTheDefaultPersonalDirectory(string text, string directory)
    {
        var settings = ConfigText.Bind(text);
        Assert.That(settings.Namespaces.Personal.Single(p => p.Prefix == "").Directory, Is.EqualTo(directory));
    }

    [Test]
    public void AnExplicitPersonalPrefixWins()
    {
        var settings = ConfigText.Bind("mailbox { folder Mail; }\nnamespace personal { prefix \"\" { directory \"/srv/$user\"; } }");
        Assert.That(settings.Namespaces.Personal.Single(p => p.Prefix == "").Directory, Is.EqualTo("/srv/$user"));
    }

    [Test]
    public void FolderIsImplementedSoLintDoesNotWarn()
    {
        ConfigText.Bind("mailbox { folder Mail; }", out var warnings);
        Assert.That(warnings, Is.Empty);
    }
}
