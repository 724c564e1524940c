using Imap4d.Storage.Maildir;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.Mh;
using Imap4d.Storage.State;

namespace Imap4d.Storage;

/// <summary>The mailbox formats this server reads and writes, in GNU imap4d's detection order.</summary>
public static class MailDrivers
{
    /// <param name="userState">The user's state directory (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public static IReadOnlyList<IMailboxDriver> CreateDefault(UserStateDirectory? userState = null)
    {
        userState ??= UserStateDirectory.FromEnvironment();
        return [new MboxDriver(userState: userState), new MaildirDriver(userState), new MhDriver(userState)];
    }
}
