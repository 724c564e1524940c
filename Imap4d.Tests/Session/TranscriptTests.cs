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
            var types = TranscriptScript.Load(file).StoreTypes;
            if (types.Count == 0)
            {
                yield return new TestCaseData(file, false, null).SetName($"Transcript({name})");
                yield return new TestCaseData(file, true, null).SetName($"Transcript({name}, byte by byte)");
                continue;
            }

            // On a mail store: once per mailbox type, byte by byte on the first type only (it tests the reader).
            foreach (string type in types)
            {
                yield return new TestCaseData(file, false, type).SetName($"Transcript({name}, {type})");
            }

            yield return new TestCaseData(file, true, types[0]).SetName($"Transcript({name}, {types[0]}, byte by byte)");
        }
    }

    [TestCaseSource(nameof(Scripts))]
    public Task Replay(string file, bool byteByByte, string? storeType) =>
        TranscriptRunner.RunAsync(TranscriptScript.Load(file), byteByByte, storeType);
}
