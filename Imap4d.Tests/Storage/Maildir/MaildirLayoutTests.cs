using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

public class MaildirLayoutTests
{
    private const string Root = "/home/u/Maildir";

    [TestCase("INBOX", "/home/u/Maildir")]
    [TestCase("inbox", "/home/u/Maildir")]
    [TestCase("Sent", "/home/u/Maildir/.Sent")]
    [TestCase("A/B/C", "/home/u/Maildir/.A.B.C")]
    [TestCase("inbox/x", "/home/u/Maildir/.INBOX.x")]
    [TestCase("&AOk-t&AOk-", "/home/u/Maildir/.&AOk-t&AOk-")]
    public void MaildirPlusPlusPaths(string name, string path)
    {
        Assert.That(MaildirLayout.PathOf(Root, name, MaildirLayoutStyle.MaildirPlusPlus), Is.EqualTo(path));
        string expectedName = name.StartsWith("inbox", StringComparison.OrdinalIgnoreCase) ? "INBOX" + name[5..] : name;
        Assert.That(MaildirLayout.NameOf(Root, path, MaildirLayoutStyle.MaildirPlusPlus), Is.EqualTo(expectedName));
    }

    [TestCase("INBOX", "/home/u/Maildir")]
    [TestCase("Sent", "/home/u/Maildir/Sent")]
    [TestCase("A/B/C", "/home/u/Maildir/A/B/C")]
    [TestCase("a.b", "/home/u/Maildir/a.b")]
    public void TreePaths(string name, string path)
    {
        Assert.That(MaildirLayout.PathOf(Root, name, MaildirLayoutStyle.Tree), Is.EqualTo(path));
        Assert.That(MaildirLayout.NameOf(Root, path, MaildirLayoutStyle.Tree), Is.EqualTo(name));
    }

    [TestCase("a.b", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("A//B", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("../x", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("A/", MaildirLayoutStyle.Tree)]
    [TestCase("..", MaildirLayoutStyle.Tree)]
    [TestCase("A/cur", MaildirLayoutStyle.Tree)]
    [TestCase("new", MaildirLayoutStyle.Tree)]
    [TestCase(".hidden", MaildirLayoutStyle.Tree)]
    public void UnrepresentableNamesAreRefused(string name, MaildirLayoutStyle style)
    {
        var e = Assert.Throws<StorageException>(() => MaildirLayout.PathOf(Root, name, style));
        Assert.That(e!.Error, Is.EqualTo(StorageError.NoPermission));
    }

    [TestCase("/home/u/Other/.A", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("/home/u/Maildir/A", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("/home/u/Maildir/.A/cur", MaildirLayoutStyle.MaildirPlusPlus)]
    [TestCase("/home/u/Maildir/A/cur", MaildirLayoutStyle.Tree)]
    [TestCase("/home/u/Maildir/.A", MaildirLayoutStyle.Tree)]
    public void PathsOutsideTheLayoutHaveNoName(string path, MaildirLayoutStyle style) =>
        Assert.That(MaildirLayout.NameOf(Root, path, style), Is.Null);

    [Test]
    public void EnumeratesBothLayouts()
    {
        using var fixture = new MaildirDriverFixture();
        var driver = new MaildirDriver();
        string plus = fixture.NewPath("plus");
        foreach (string name in new[] { "INBOX", "Sent", "A/B", "A/B/C", "Z/Y" })
        {
            driver.Create(MaildirLayout.PathOf(plus, name, MaildirLayoutStyle.MaildirPlusPlus), (UnixFileMode)0x180);
        }

        File.WriteAllText(Path.Combine(plus, "imap4d.index"), string.Empty);
        Assert.That(MaildirLayout.Enumerate(plus, MaildirLayoutStyle.MaildirPlusPlus).Select(f => $"{f.Name}:{f.Selectable}"),
            Is.EqualTo(new[] { "INBOX:True", "A:False", "A/B:True", "A/B/C:True", "Sent:True", "Z:False", "Z/Y:True" }));

        string tree = fixture.NewPath("tree");
        foreach (string name in new[] { "INBOX", "Sent", "A/B" })
        {
            string path = MaildirLayout.PathOf(tree, name, MaildirLayoutStyle.Tree);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            driver.Create(path, (UnixFileMode)0x180);
        }

        Assert.That(MaildirLayout.Enumerate(tree, MaildirLayoutStyle.Tree).Select(f => $"{f.Name}:{f.Selectable}"),
            Is.EqualTo(new[] { "INBOX:True", "A:False", "A/B:True", "Sent:True" }));
    }
}
