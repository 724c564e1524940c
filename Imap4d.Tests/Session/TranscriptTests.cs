using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>Every dialogue under Transcripts/, replayed whole and again one client byte at a time.</summary>
public class TranscriptTests
{
    public static IEnumerable<TestCaseData> Scripts()
    {
        string root = Path.Combine(TestContext.CurrentContext.TestDirectory, "Transcripts");
        foreach (string file in Directory.EnumerateFiles(root, "*.imap", SearchOption.AllDirectories).Order())
        {
            string name = Path.GetRelativePath(root, file).Replace('\\', '/');
            yield return new TestCaseData(file, false).SetName($"Transcript({name})");
            yield return new TestCaseData(file, true).SetName($"Transcript({name}, byte by byte)");
        }
    }

    [TestCaseSource(nameof(Scripts))]
    public Task Replay(string file, bool byteByByte) =>
        TranscriptRunner.RunAsync(TranscriptScript.Load(file), byteByByte);
}
