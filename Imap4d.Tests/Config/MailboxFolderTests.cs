namespace Imap4d.Tests.Config;

/// <summary>
/// `mailbox { folder DIR; }` (issue 11): GNU imap4d 3.15 does not use it (measured: with no
/// namespace block its personal prefix "" is the home directory whatever `folder` says; other
/// Mailutils programs read it), so it is accepted and ignored here too.
/// GnuConfigSessionTests.FolderDoesNotMoveThePersonalNamespace runs both servers.
/// </summary>
public class MailboxFolderTests
{
    [TestCase("mailbox { folder Mail; }")]
    [TestCase("mailbox { folder \"/srv/mail/$user\"; }")]
    [TestCase("")]
    public void ThePersonalPrefixIsTheHomeDirectoryWhateverFolderSays(string text)
    {
        var settings = ConfigText.Bind(text);
        Assert.That(settings.Namespaces.Personal.Single(p => p.Prefix == "").Directory, Is.EqualTo("$home"));
    }

    [Test]
    public void LintSaysFolderIsIgnored()
    {
        ConfigText.Bind("mailbox { folder Mail; }", out var warnings);
        Assert.That(warnings, Has.Some.Contains("\"mailbox.folder\" is not implemented yet; ignored"));
    }
}
