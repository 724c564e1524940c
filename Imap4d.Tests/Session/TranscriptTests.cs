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
            // "@store mbox maildir mh": the script runs on a fresh mail store of each format.
            string? stores = TranscriptScript.Load(file).Directives.FirstOrDefault(d => d.StartsWith("store ", StringComparison.Ordinal));
            var types = new List<string?>();
            if (stores is null)
            {
                types.Add(null);
            }
            else
            {
                types.AddRange(stores.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1));
            }

            foreach (string? type in types)
            {
                string on = type is null ? "" : ", " + type;
                yield return new TestCaseData(file, false, type).SetName($"Transcript({name}{on})");
                yield return new TestCaseData(file, true, type).SetName($"Transcript({name}{on}, byte by byte)");
            }
        }
    }

    [TestCaseSource(nameof(Scripts))]
    public Task Replay(string file, bool byteByByte, string? storeType) =>
        TranscriptRunner.RunAsync(TranscriptScript.Load(file), byteByByte, storeType);
}
