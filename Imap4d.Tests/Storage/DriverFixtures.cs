using Imap4d.Storage;
using Imap4d.Storage.Memory;

namespace Imap4d.Tests.Storage;

/// <summary>One driver under test, with a private temporary directory for its mailboxes.</summary>
public interface IDriverFixture : IDisposable
{
    IMailboxDriver Driver { get; }

    /// <summary>A path for a new mailbox (nothing exists there yet).</summary>
    string NewPath(string name);
}

/// <summary>A fresh temporary directory, removed on dispose.</summary>
public abstract class TempDirectoryFixture : IDriverFixture
{
    protected TempDirectoryFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "imap4d-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public abstract IMailboxDriver Driver { get; }

    public string NewPath(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class MemoryDriverFixture : IDriverFixture
{
    public IMailboxDriver Driver { get; } = new MemoryDriver();

    public string NewPath(string name) => "/memory/" + name;

    public void Dispose()
    {
    }
}
