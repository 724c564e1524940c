using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

public class MaildirFileNameTests
{
    [TestCase("1700000000.M1P2Q3.host:2,S", "1700000000.M1P2Q3.host", "1700000000.M1P2Q3.host", "2,S", null, null, null)]
    [TestCase("1795321191.M595653P27588.vm,S=51,W=55:2,S", "1795321191.M595653P27588.vm,S=51,W=55", "1795321191.M595653P27588.vm", "2,S", 51L, 55L, null)]
    [TestCase("1795321145.M691706P26431Q0.vm,a=FO,u=1:2,FS", "1795321145.M691706P26431Q0.vm,a=FO,u=1", "1795321145.M691706P26431Q0.vm", "2,FS", null, null, 1u)]
    [TestCase("1700000000.12345_1.host", "1700000000.12345_1.host", "1700000000.12345_1.host", null, null, null, null)]
    [TestCase("odd name with spaces:2,", "odd name with spaces", "odd name with spaces", "2,", null, null, null)]
    [TestCase("x,S=abc,W=-1:2,T", "x,S=abc,W=-1", "x", "2,T", null, null, null)]
    [TestCase("x:1,experimental", "x", "x", "1,experimental", null, null, null)]
    [TestCase("x:2,S:extra", "x", "x", "2,S:extra", null, null, null)]
    public void ParsesNames(string name, string baseName, string key, string? info, long? size, long? vsize, uint? uid)
    {
        var parsed = MaildirFileName.Parse(name);
        Assert.That(parsed.Base, Is.EqualTo(baseName));
        Assert.That(parsed.Key, Is.EqualTo(key));
        Assert.That(MaildirFileName.KeyOf(name), Is.EqualTo(key));
        Assert.That(parsed.Info, Is.EqualTo(info));
        Assert.That(parsed.FileSize, Is.EqualTo(size));
        Assert.That(parsed.VirtualSize, Is.EqualTo(vsize));
        Assert.That(parsed.MailutilsUid, Is.EqualTo(uid));
        MaildirFileName.Fields(name, out long fileSize, out long virtualSize, out uint? mailutilsUid);
        Assert.That(fileSize, Is.EqualTo(size ?? -1), "Fields: S=");
        Assert.That(virtualSize, Is.EqualTo(vsize ?? -1), "Fields: W=");
        Assert.That(mailutilsUid, Is.EqualTo(uid), "Fields: u=");
        Assert.That(MaildirFileName.LettersOf(name).ToString(), Is.EqualTo(parsed.Letters));
        Assert.That(MailutilsNames.UidOf(name), Is.EqualTo(uid));
    }

    /// <summary>The scan reads the fields of a name without strings (<see cref="MaildirFileName.Fields"/>): as Parse, the last of each wins.</summary>
    [TestCase("x,S=1,W=2,u=3,S=10,W=20,u=30:2,S", 10L, 20L, 30u)]
    [TestCase("x,S=,W=2x,u=:2,S", -1L, -1L, null)]
    [TestCase("x,S=5,,W=6,:2,", 5L, 6L, null)]
    [TestCase("x:2,S,S=5", -1L, -1L, null)]
    [TestCase("x,u=0", -1L, -1L, 0u)]
    public void FieldsAsParseReadsThem(string name, long size, long vsize, uint? uid)
    {
        MaildirFileName.Fields(name, out long fileSize, out long virtualSize, out uint? mailutilsUid);
        Assert.That((fileSize, virtualSize, mailutilsUid), Is.EqualTo((size, vsize, uid)));
        var parsed = MaildirFileName.Parse(name);
        Assert.That((parsed.FileSize ?? -1, parsed.VirtualSize ?? -1, parsed.MailutilsUid), Is.EqualTo((size, vsize, uid)));
        Assert.That(MailutilsNames.UidOf(name), Is.EqualTo(uid));
    }

    [TestCase("x", "")]
    [TestCase("x:2,", "")]
    [TestCase("x:2,DFPRST", "DFPRST")]
    [TestCase("x:1,S", "")]
    public void LettersOnlyFromStandardInfo(string name, string letters)
    {
        Assert.That(MaildirFileName.Parse(name).Letters, Is.EqualTo(letters));
        Assert.That(MaildirFileName.LettersOf(name).ToString(), Is.EqualTo(letters));
    }

    [TestCase("", MessageFlags.None)]
    [TestCase("S", MessageFlags.Seen)]
    [TestCase("R", MessageFlags.Answered)]
    [TestCase("F", MessageFlags.Flagged)]
    [TestCase("T", MessageFlags.Deleted)]
    [TestCase("D", MessageFlags.Draft)]
    [TestCase("P", MessageFlags.None)]
    [TestCase("DFPRST", MessageFlags.Draft | MessageFlags.Flagged | MessageFlags.Answered | MessageFlags.Seen | MessageFlags.Deleted)]
    [TestCase("SXz", MessageFlags.Seen)]
    public void SystemFlagsFromLetters(string letters, MessageFlags expected) =>
        Assert.That(MaildirFileName.FlagsOf(letters, new MaildirKeywords()).System, Is.EqualTo(expected));

    [TestCase(MessageFlags.None, "", "")]
    [TestCase(MessageFlags.Seen | MessageFlags.Draft, "", "DS")]
    [TestCase(MessageFlags.Seen, "PS", "PS")]
    [TestCase(MessageFlags.None, "PRSTXz", "PXz")]
    [TestCase(MessageFlags.Deleted | MessageFlags.Answered | MessageFlags.Flagged, "S", "FRT")]
    public void LettersKeepWhatIsNotOurs(MessageFlags flags, string old, string expected) =>
        Assert.That(MaildirFileName.LettersOf(FlagSet.Of(flags), old, new MaildirKeywords()), Is.EqualTo(expected));

    [Test]
    public void KeywordsBecomeLowerCaseLettersThroughTheMap()
    {
        var dir = Path.Combine(Path.GetTempPath(), "imap4d-kw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, MaildirKeywords.FileName), "0 $Label1\n1 Work\n3 Later\n");
            var keywords = MaildirKeywords.Load(dir);
            Assert.That(keywords.NameOf('a'), Is.EqualTo("$Label1"));
            Assert.That(keywords.NameOf('c'), Is.Null);
            Assert.That(keywords.LetterOf("work"), Is.EqualTo('b'));
            var flags = MaildirFileName.FlagsOf("Sabcd", keywords);
            Assert.That(flags.Keywords, Is.EquivalentTo(new[] { "$Label1", "Work", "Later" }));
            Assert.That(MaildirFileName.LettersOf(flags.Remove(FlagSet.Of(MessageFlags.None, "Work")), "Sabcd", keywords), Is.EqualTo("Sacd"),
                "c has no keyword: kept");

            Assert.That(keywords.TryAdd(dir, ["New", "Work"]), Is.True);
            Assert.That(keywords.LetterOf("New"), Is.EqualTo('c'), "the first free index");
            Assert.That(File.ReadAllText(Path.Combine(dir, MaildirKeywords.FileName)), Is.EqualTo("0 $Label1\n1 Work\n2 New\n3 Later\n"));
            Assert.That(keywords.TryAdd(dir, Enumerable.Range(0, 22).Select(i => "k" + i)), Is.True);
            Assert.That(keywords.TryAdd(dir, ["one-too-many"]), Is.False);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void NewNamesAreUniqueAndWellFormed()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        string a = MaildirFileName.NewUnique(now);
        string b = MaildirFileName.NewUnique(now);
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a, Does.Match(@"^1700000000\.M123000P\d+Q\d+\.[^/:,]+$"));
    }

    [TestCase("host", "host")]
    [TestCase("a/b:c,d", @"a\057b\072c\054d")]
    public void HostNamesAreEscaped(string host, string expected) =>
        Assert.That(MaildirFileName.EscapedHostName(host), Is.EqualTo(expected));
}
