using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// What GNU mailutils needs to find in a maildir to give it our UIDs and UIDVALIDITY (issue 11,
/// item 9): <c>,u=N</c> names, <c>.mu-prop</c>, delivery order, no stale <c>,a=</c> flags.
/// GnuMailboxInteropTests checks the result against GNU imap4d itself.
/// </summary>
public class MaildirMailutilsTests : MaildirBoxTestBase
{
    private static uint Append(IMailbox box, string subject, FlagSet? flags = null) =>
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\nbody\r\n")), flags ?? FlagSet.Empty, Date);

    private string[] Files(string dir) =>
        Directory.GetFiles(Path.Combine(_path, dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private string MuProp => File.ReadAllText(Path.Combine(_path, ".mu-prop"));

    [Test]
    public void OurUidValidityAndUidNextAreInMuProp()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        Append(box, "one");
        Append(box, "two");
        box.Sync();
        Assert.That(MuProp, Is.EqualTo($"uidnext: 3\nversion: {MailutilsProperties.Version}\nuid-validity: {box.UidValidity}\n"));
        Assert.That(Files("cur").Select(MailutilsNames.UidOf), Is.EqualTo(new uint?[] { 1, 2 }));
    }

    [Test]
    public void MuPropKeepsOtherLinesAndGetsNoVersionItDidNotHave()
    {
        // A maildir of mailutils 3.10 or older: no version, so mailutils still converts its old letters.
        File.WriteAllText(Path.Combine(_path, ".mu-prop"), "uid-validity: 1700000000\nsomething: else\nuidnext: 1\n");
        using var box = _driver.Open(_path, "box", readOnly: false);
        Append(box, "one");
        box.Sync();
        Assert.That(box.UidValidity, Is.EqualTo(1700000000u), "adopted");
        Assert.That(MuProp, Is.EqualTo("uid-validity: 1700000000\nsomething: else\nuidnext: 2\n"));
    }

    /// <summary>Mailutils numbers files in the order their names tell; so do we, not by mtime (which touch changes).</summary>
    [Test]
    public void DeliveredFilesAreNumberedInTheOrderOfTheirNames()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        foreach (string name in new[] { "1700000001.M5P1Q1.mda", "1700000001.M40P1Q2.mda", "1700000000.M999P1Q3.mda" })
        {
            File.WriteAllText(Path.Combine(_path, "new", name), $"Subject: {name}\n\nx\n");
        }

        File.SetLastWriteTimeUtc(Path.Combine(_path, "new", "1700000000.M999P1Q3.mda"), Date.UtcDateTime.AddDays(2));
        File.SetLastWriteTimeUtc(Path.Combine(_path, "new", "1700000001.M40P1Q2.mda"), Date.UtcDateTime);
        File.SetLastWriteTimeUtc(Path.Combine(_path, "new", "1700000001.M5P1Q1.mda"), Date.UtcDateTime.AddDays(1));
        box.Sync();
        Assert.That(Files("cur"), Is.EqualTo(new[]
        {
            "1700000000.M999P1Q3.mda,u=1:2,", "1700000001.M40P1Q2.mda,u=3:2,", "1700000001.M5P1Q1.mda,u=2:2,",
        }), "M5 before M40: microseconds compare as numbers");
    }

    /// <summary>
    /// Many files of a first scan, several per second (the scan sorts by the seconds first, then by
    /// the whole order only among names of one second): the UIDs follow the names' delivery order.
    /// </summary>
    [Test]
    public void ManyDeliveredFilesAreNumberedInDeliveryOrder()
    {
        var names = new List<string>();
        for (int second = 0; second < 40; second++)
        {
            for (int q = 1; q <= 1 + (second % 4); q++)
            {
                names.Add($"{1700000000 + ((second * 7) % 40)}.M{(q * 37) % 11}P{second}Q{q * 3}.mda");
            }
        }

        var random = new Random(7);
        foreach (string name in names.OrderBy(_ => random.Next()))
        {
            File.WriteAllText(Path.Combine(_path, "cur", name + ":2,"), $"Subject: {name}\n\nx\n");
        }

        using var box = _driver.Open(_path, "box", readOnly: false);
        var expected = names.Order(MailutilsNames.DeliveryOrder).ToList();
        var uidOf = new MaildirUidList();
        Assert.That(uidOf.Refresh(_path), Is.EqualTo(MaildirUidList.State.Ok));
        Assert.That(expected.Select(n => uidOf.Uids[n]), Is.EqualTo(Enumerable.Range(1, names.Count).Select(i => (uint)i)));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, names.Count).Select(i => (uint)i)));
    }

    [Test]
    public void DeliveryOrderComparesSecondsMicrosecondsAndDeliveriesAsNumbers()
    {
        string[] names = ["1700000010.M1P9Q1.h", "1700000009.M999999P1Q1.h", "1700000010.M1P9Q10.h", "1700000010.M1P9Q2.h", "1700000010.M20P1Q1.h"];
        Assert.That(names.Order(MailutilsNames.DeliveryOrder), Is.EqualTo(new[]
        {
            "1700000009.M999999P1Q1.h", "1700000010.M1P9Q1.h", "1700000010.M1P9Q2.h", "1700000010.M1P9Q10.h", "1700000010.M20P1Q1.h",
        }));
    }

    /// <summary>A message GNU imap4d appended while we were away keeps the UID it gave it, under our common UIDVALIDITY.</summary>
    [Test]
    public void AFileMailutilsNumberedUnderOurUidValidityKeepsItsUid()
    {
        uint validity;
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Append(box, "one");
            box.Sync();
            validity = box.UidValidity;
        }

        // GNU imap4d appends two messages and expunges the first of them: UIDs 2 (gone) and 3.
        File.WriteAllText(Path.Combine(_path, ".mu-prop"), $"uidnext: 4\nversion: 3.15\nuid-validity: {validity}\n");
        File.WriteAllText(Path.Combine(_path, "cur", "1800000000.M1P2Q1.vm,a=O,u=3:2,S"), "Subject: gnu\n\nx\n");
        using var again = _driver.Open(_path, "box", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
        Assert.That(again.UidNext, Is.EqualTo(4u));
    }

    /// <summary>A flag cleared here must not live on in mailutils' own ,a= field.</summary>
    [Test]
    public void ClearingAFlagClearsItInTheAField()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        File.WriteAllText(Path.Combine(_path, "cur", "1800000000.M1P2Q1.vm,a=FO,u=1:2,FS"), "Subject: gnu\n\nx\n");
        box.Sync();
        box.Store([box.Messages.Single().Uid], FlagOperation.Remove, FlagSet.Of(MessageFlags.Flagged));
        Assert.That(Files("cur"), Is.EqualTo(new[] { "1800000000.M1P2Q1.vm,a=O,u=1:2,S" }));
    }

    /// <summary>A file carrying another UID (copied from elsewhere, or numbered by mailutils on its own): .mu-prop must not claim our UIDVALIDITY.</summary>
    [Test]
    public void MuPropDoesNotClaimOurUidValidityWhenANameSaysAnotherUid()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        Append(box, "one");
        box.Sync();
        Assert.That(MuProp, Does.Contain($"uid-validity: {box.UidValidity}\n"));
        File.WriteAllText(Path.Combine(_path, "cur", "1800000000.M1P2Q1.vm,u=1:2,"), "Subject: copied\n\nx\n");
        box.Sync();
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(MuProp, Does.Not.Contain($"uid-validity: {box.UidValidity}\n"));
    }

    [TestCase("1.M1P1Q1.h,S=5,a=FO,W=6", "1.M1P1Q1.h,S=5,a=O,W=6")]
    [TestCase("1.M1P1Q1.h,a=FRA", "1.M1P1Q1.h")]
    [TestCase("1.M1P1Q1.h,a=O,u=4", "1.M1P1Q1.h,a=O,u=4")]
    [TestCase("1.M1P1Q1.h", "1.M1P1Q1.h")]
    public void StaleAttributeLettersAreDropped(string baseName, string expected) =>
        Assert.That(MailutilsNames.WithoutStaleAttributes(baseName), Is.EqualTo(expected));
}
