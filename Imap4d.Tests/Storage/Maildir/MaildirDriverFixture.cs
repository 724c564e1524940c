using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>The maildir driver over a fresh temporary directory.</summary>
public sealed class MaildirDriverFixture : TempDirectoryFixture
{
    public override IMailboxDriver Driver { get; } = new MaildirDriver();
}
