namespace Imap4d.Tests.Storage.Mh;

/// <summary>The shared driver contract, run against the MH driver.</summary>
[TestFixture]
public class MhContractTests : MailboxDriverContract<MhDriverFixture>
{
}
