using Imap4d.Storage.Mh;

namespace Imap4d.Tests.Storage.Mh;

public class MhLockTests
{
    private string _folder = "";

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "mhlock-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    // A folder whose .mh_sequences is absent (nmh removes it when every sequence is empty, and
    // another session may be between unlink and rename) is a folder with no sequences, not an error.
    // The stress run saw "open .mh_sequences: 0": the errno was read twice, and the first read
    // (a P/Invoke of its own) cleared it for the second.
    [TestCase(true)]
    [TestCase(false)]
    public void AFolderWithoutSequencesFileLocksAndReadsEmpty(bool write)
    {
        using var mhLock = MhLock.Acquire(_folder, write);
        Assert.That(mhLock.ReadSequences(), Is.Empty);
    }
}
