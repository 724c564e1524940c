using Imap4d.Storage;
using Imap4d.Storage.Locking;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>An mbox driver over a temporary directory, with quick lock retries.</summary>
public sealed class MboxDriverFixture : TempDirectoryFixture
{
    public static readonly LockingOptions FastLocking = new()
    {
        RetryCount = 3,
        RetrySleep = TimeSpan.FromMilliseconds(50),
    };

    public MboxDriverFixture()
    {
        Mbox = new MboxDriver(FastLocking);
    }

    public MboxDriver Mbox { get; }

    public override IMailboxDriver Driver => Mbox;
}
