namespace Imap4d.Tests.Storage.Maildir;

/// <summary>The shared driver contract, run against the maildir driver.</summary>
[TestFixture]
public class MaildirContractTests : MailboxDriverContract<MaildirDriverFixture>
{
}
