using Imap4d.Storage;
using Imap4d.Storage.Mh;

namespace Imap4d.Tests.Storage.Mh;

/// <summary>The MH driver over a fresh temporary directory.</summary>
public sealed class MhDriverFixture : TempDirectoryFixture
{
    public override IMailboxDriver Driver { get; } = new MhDriver();
}
