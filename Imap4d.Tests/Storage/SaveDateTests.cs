using System.Globalization;
using System.Text;
using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage;

/// <summary>
/// RFC 8514 save dates on maildir and MH: the moment the message was stored (not its internal
/// date), the same for every later look, and still the same once the index and cache are gone,
/// as they come from the files themselves.
/// </summary>
[TestFixture("maildir")]
[TestFixture("mh")]
public class SaveDateTests(string type)
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("imap4d-savedate-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void SaveDateIsWhenStoredAndSurvivesTheLossOfTheIndex()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        var internalDate = new DateTimeOffset(2019, 6, 15, 10, 0, 0, TimeSpan.Zero);
        using (var box = NewStore().Open("INBOX", readOnly: false))
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n")), FlagSet.Empty, internalDate);
        }

        DateTimeOffset first;
        using (var box = NewStore().Open("INBOX", readOnly: false))
        {
            Assert.That(box.SupportsSaveDate, Is.True);
            first = box.SaveDate(box.Messages[0].Uid) ?? throw new AssertionException("no save date");
            Assert.That(box.Messages[0].InternalDate, Is.EqualTo(internalDate));
            Assert.That(first, Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(2)), first.ToString(CultureInfo.InvariantCulture));
            box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        }

        foreach (string file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(f) is "index" or "imap4d.index" or "imap4d.cache" or "cache" || f.EndsWith(".index", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        using (var box = NewStore().Open("INBOX", readOnly: false))
        {
            Assert.That(box.SaveDate(box.Messages[0].Uid), Is.EqualTo(first), "after a flag change and without the index");
        }
    }

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', _root, type, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = $"{type}://{_root}/INBOX" },
        };
        return new MailStore(settings, "demo", _root, MailDrivers.CreateDefault(), _ => null);
    }
}
