using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Reading mbox files written by others: separators, quoting, Content-Length, dates, line ends.</summary>
[TestFixture]
public class MboxParsingTests
{
    private const string From1 = "From alice@example.org Tue Mar  5 09:20:30 2024\n";
    private const string From2 = "From bob@example.org Wed Mar  6 11:00:00 2024\n";

    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private IMailbox Open(string text, bool readOnly = true)
    {
        string path = MboxTestSupport.Write(_fixture, "box" + Guid.NewGuid().ToString("N")[..6], text);
        return _fixture.Driver.Open(path, "box", readOnly);
    }

    private string[] Contents(string text)
    {
        using var box = Open(text);
        MboxTestSupport.AssertClean(box);
        return box.Messages.Select(m => MboxTestSupport.Read(box, m.Uid)).ToArray();
    }

    private static IEnumerable<TestCaseData> Files()
    {
        yield return new TestCaseData("", Array.Empty<string>()).SetName("empty file");
        yield return new TestCaseData(From1 + "Subject: a\n\nbody\n\n" + From2 + "Subject: b\n\nbody b\n",
            new[] { "Subject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\nbody b\r\n" }).SetName("two messages, last without separator line");
        yield return new TestCaseData(From1 + "Subject: a\n\nline\n>From x\n>>From y\n>>>From z\n> From not quoted\n\n",
            new[] { "Subject: a\r\n\r\nline\r\nFrom x\r\n>From y\r\n>>From z\r\n> From not quoted\r\n" }).SetName("mboxrd unquoting");
        yield return new TestCaseData(From1 + "Subject: a\n\nno newline at end",
            new[] { "Subject: a\r\n\r\nno newline at end" }).SetName("message without trailing newline");
        yield return new TestCaseData(From1.Replace("\n", "\r\n") + "Subject: a\r\n\r\nbody\r\n\r\n" + From2.Replace("\n", "\r\n") + "Subject: b\r\n\r\nb\r\n\r\n",
            new[] { "Subject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\nb\r\n" }).SetName("CRLF mbox");
        yield return new TestCaseData("garbage line\nmore garbage\n\n" + From1 + "Subject: a\n\nbody\n\n",
            new[] { "Subject: a\r\n\r\nbody\r\n" }).SetName("garbage before the first From line");
        yield return new TestCaseData(From1 + "Subject: a\n\nbody\nFrom me, a line in the body\nmore\n\n",
            new[] { "Subject: a\r\n\r\nbody\r\nFrom me, a line in the body\r\nmore\r\n" }).SetName("unquoted From line without blank line or date is body");
        yield return new TestCaseData(From1 + "Subject: a\nContent-Length: 20\n\nbody\n\nFrom the body\n\n" + From2 + "Subject: b\n\nb\n",
            new[] { "Subject: a\r\n\r\nbody\r\n\r\nFrom the body\r\n", "Subject: b\r\n\r\nb\r\n" }).SetName("Content-Length honoured");
        yield return new TestCaseData(From1 + "Subject: a\nContent-Length: 5\n\nbody\n\nFrom the body\n\n",
            new[] { "Subject: a\r\n\r\nbody\r\n", "" }).SetName("wrong Content-Length ignored");
        yield return new TestCaseData(From1 + "Subject: a\nContent-Length: 4\n\nbody\n" + From2 + "Subject: b\n\nb\n",
            new[] { "Subject: a\r\n\r\nbody", "Subject: b\r\n\r\nb\r\n" }).SetName("Content-Length body without newline");
        yield return new TestCaseData(From1 + "Subject: a\nStatus: RO\nX-Keywords: one\n two,\n three\nX-UID: 4\nX-Status: F\nx-imapbase: 1 2\nContent-Length: 5\nTo: b\n\nbody\n\n",
            new[] { "Subject: a\r\nTo: b\r\n\r\nbody\r\n" }).SetName("bookkeeping headers hidden, continuation lines too");
        yield return new TestCaseData(From1 + "Subject: a\n\nbody\n\n\n",
            new[] { "Subject: a\r\n\r\nbody\r\n\r\n" }).SetName("only the last blank line is the separator");
        yield return new TestCaseData(From1 + "Subject: only headers\n",
            new[] { "Subject: only headers\r\n" }).SetName("headers only, no blank line");
        yield return new TestCaseData(From1 + "Subject: a\n\n" + From2 + "Subject: b\n\n\n" + From1 + "Subject: c\n\n",
            new[] { "Subject: a\r\n", "Subject: b\r\n\r\n", "Subject: c\r\n" }).SetName("empty bodies: the last empty line is the separator");
    }

    [TestCaseSource(nameof(Files))]
    public void ClientView(string file, string[] expected)
    {
        Assert.That(Contents(file), Is.EqualTo(expected));
    }

    private static IEnumerable<TestCaseData> FromLines()
    {
        var d = new DateTimeOffset(2024, 3, 5, 9, 20, 30, TimeSpan.Zero);
        yield return new TestCaseData("From a@b Tue Mar  5 09:20:30 2024", d);
        yield return new TestCaseData("From a@b  Tue Mar 05 09:20:30 2024", d);
        yield return new TestCaseData("From \"John Doe\"@example.org Tue Mar  5 09:20:30 2024", d);
        yield return new TestCaseData("From a@b Tue Mar  5 09:20 2024", d.AddSeconds(-30));
        yield return new TestCaseData("From a@b Tue Mar  5 09:20:30 CET 2024", new DateTimeOffset(2024, 3, 5, 9, 20, 30, TimeSpan.FromHours(1)));
        yield return new TestCaseData("From a@b Tue Mar  5 09:20:30 2024 +0200", new DateTimeOffset(2024, 3, 5, 9, 20, 30, TimeSpan.FromHours(2)));
        yield return new TestCaseData("From a@b tue mar  5 09:20:30 2024 remote from host", d);
        yield return new TestCaseData("From a@b Tue Mar  5 2024", null);
        yield return new TestCaseData("From here to there", null);
        yield return new TestCaseData("From a@b Xyz Mar  5 09:20:30 2024", null);
    }

    [TestCaseSource(nameof(FromLines))]
    public void FromLineDates(string line, DateTimeOffset? expected)
    {
        var parsed = FromLine.ParseDate(Encoding.ASCII.GetBytes(line + "\n"));
        Assert.That(parsed, Is.EqualTo(expected));
        if (expected is { } e)
        {
            Assert.That(parsed!.Value.Offset, Is.EqualTo(e.Offset));
        }
    }

    [Test]
    public void InternalDateFallsBackToDateHeaderThenMtime()
    {
        string text = "From alice@example.org\nSubject: a\nDate: Wed, 6 Mar 2024 11:00:00 +0100\n\nx\n\n"
                      + "From bob@example.org\nSubject: b\n\ny\n";
        string path = MboxTestSupport.Write(_fixture, "dates", text);
        var mtime = new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, mtime);
        using var box = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(box.Messages, Has.Count.EqualTo(2));
        Assert.That(box.Messages[0].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 3, 6, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(box.Messages[1].InternalDate, Is.EqualTo(new DateTimeOffset(mtime)));
    }

    [Test]
    public void AppendedMessagesAreMboxrdQuotedAndOurHeadersAreReplaced()
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        byte[] tricky = Encoding.ASCII.GetBytes("Subject: t\r\nX-UID: 99\r\nStatus: RO\r\n\r\nFrom a\r\n>From b\r\n");
        byte[] noNewline = Encoding.ASCII.GetBytes("Subject: n\r\n\r\nno newline");
        byte[] headerOnly = Encoding.ASCII.GetBytes("Subject: h\r\n");
        byte[] emptyBody = Encoding.ASCII.GetBytes("Subject: e\r\n\r\n");
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(box.Append(new MemoryStream(tricky), FlagSet.Empty, DateTimeOffset.UnixEpoch), Is.EqualTo(1u));
            Assert.That(box.Append(new MemoryStream(noNewline), FlagSet.Empty, DateTimeOffset.UnixEpoch), Is.EqualTo(2u));
            box.Append(new MemoryStream(headerOnly), FlagSet.Empty, DateTimeOffset.UnixEpoch);
            box.Append(new MemoryStream(emptyBody), FlagSet.Empty, DateTimeOffset.UnixEpoch);
            box.Sync();
            Assert.That(MboxTestSupport.ReadBytes(box, 3), Is.EqualTo(headerOnly));
            Assert.That(MboxTestSupport.ReadBytes(box, 4), Is.EqualTo(emptyBody));
            box.Store([3, 4], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            box.Checkpoint();
            box.Sync();
            Assert.That(MboxTestSupport.ReadBytes(box, 3), Is.EqualTo(headerOnly), "after a rewrite");
            Assert.That(MboxTestSupport.ReadBytes(box, 4), Is.EqualTo(emptyBody), "after a rewrite");
            MboxTestSupport.AssertClean(box);
            Assert.That(MboxTestSupport.Read(box, 1), Is.EqualTo("Subject: t\r\n\r\nFrom a\r\n>From b\r\n"));
            Assert.That(MboxTestSupport.ReadBytes(box, 2), Is.EqualTo(noNewline));
        }

        string file = File.ReadAllText(path);
        Assert.That(file, Does.Contain("\n>From a\n>>From b\n"));
        Assert.That(file, Does.Not.Contain("X-UID: 99"));
        Assert.That(file, Does.StartWith("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nSubject: t\nX-IMAPbase: "));
        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        using var again = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(MboxTestSupport.ReadBytes(again, 2), Is.EqualTo(noNewline), "Content-Length keeps the missing newline");
    }

    [Test]
    public void RewriteKeepsTextBeforeTheFirstMessage()
    {
        string text = "garbage line\n\n" + From1 + "Subject: a\n\nbody\n\n";
        string path = MboxTestSupport.Write(_fixture, "garbage", text);
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        }

        Assert.That(File.ReadAllText(path), Does.StartWith("garbage line\n\n" + From1 + "Subject: a\n"));
        Assert.That(File.ReadAllText(path), Does.Contain("Status: RO\n"));
    }

    [Test]
    public void HeaderOnlyMessageKeepsASizeThatMatchesItsContentAfterRewrite()
    {
        string path = MboxTestSupport.Write(_fixture, "headers", From1 + "Subject: a\n\nbody\n\n" + From2 + "Subject: only headers\n");
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            box.Checkpoint();
            box.Sync();
            MboxTestSupport.AssertClean(box);
        }

        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        using var again = _fixture.Driver.Open(path, "box", readOnly: true);
        MboxTestSupport.AssertClean(again);
        Assert.That(MboxTestSupport.Read(again, 2), Is.EqualTo("Subject: only headers\r\n"));
    }
}
