using Imap4d.Storage.Maildir;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.Mh;

namespace Imap4d.Storage;

/// <summary>The mailbox formats this server reads and writes, in GNU imap4d's detection order.</summary>
public static class MailDrivers
{
    public static IReadOnlyList<IMailboxDriver> CreateDefault() => [new MboxDriver(), new MaildirDriver(), new MhDriver()];
}
