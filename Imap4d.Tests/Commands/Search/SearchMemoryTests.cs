using System.Text;
using Imap4d.Commands.Search;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;

namespace Imap4d.Tests.Commands.Search;

/// <summary>BODY on large encoded parts streams them: memory allocated stays far below the part size.</summary>
public class SearchMemoryTests
{
    private const int DecodedSize = 16 * 1024 * 1024;

    private static byte[] LargeText(string needle)
    {
        var text = new StringBuilder(DecodedSize + 100);
        while (text.Length < DecodedSize)
        {
            text.Append("lorem ipsum dolor sit amet, consectetur adipiscing elit\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(needle).Append("\r\n").ToString());
    }

    private static string Base64Lines(byte[] bytes) => Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);

    [Test]
    public void LargeBase64AndQuotedPrintablePartsAreStreamed()
    {
        string single = "Subject: big single\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n" +
                        "Content-Transfer-Encoding: base64\r\n\r\n" + Base64Lines(LargeText("singleneedle")) + "\r\n";
        string multi = "Subject: big multi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n" +
                       "--zz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                       Base64Lines(LargeText("binaryneedle")) + "\r\n" +
                       "--zz\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
                       Encoding.ASCII.GetString(LargeText("multi=\r\nneedle")) + "--zz--\r\n";
        var driver = new MemoryDriver();
        driver.Create("/mem/INBOX", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var inbox = driver.Open("/mem/INBOX", "INBOX", readOnly: false))
        {
            inbox.Append(new MemoryStream(Encoding.ASCII.GetBytes(single)), FlagSet.Empty, DateTimeOffset.UnixEpoch);
            inbox.Append(new MemoryStream(Encoding.ASCII.GetBytes(multi)), FlagSet.Empty, DateTimeOffset.UnixEpoch);
        }

        using var selected = new SelectedMailbox(driver.Open("/mem/INBOX", "INBOX", readOnly: true));
        Assert.That(Run(selected, "BODY singleneedle"), Is.EqualTo(new[] { 1 }));
        Assert.That(Run(selected, "BODY multineedle"), Is.EqualTo(new[] { 2 }));
        Assert.That(Run(selected, "BODY binaryneedle"), Is.Empty);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(Run(selected, "OR BODY absent TEXT alsoabsent"), Is.Empty);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(4 * 1024 * 1024), "two 16 MB bodies read through fixed buffers");
    }

    private static IEnumerable<int> Run(SelectedMailbox selected, string keys)
    {
        var key = SearchParserTests.Parse(keys);
        return SearchProgram.Compile(key).Run(selected, CancellationToken.None).Select(h => h.Sequence).ToList();
    }
}
