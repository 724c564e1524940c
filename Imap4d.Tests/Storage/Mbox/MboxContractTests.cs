namespace Imap4d.Tests.Storage.Mbox;

[TestFixture]
public class MboxContractTests : MailboxDriverContract<MboxDriverFixture>
{
}
