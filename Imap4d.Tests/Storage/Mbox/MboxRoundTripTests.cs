using System.Text;
using Imap4d.Storage;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Random awkward messages come back byte for byte: after append, after a rewrite, and from the file alone.</summary>
[TestFixture]
public class MboxRoundTripTests
{
    private static readonly string[] Lines =
    [
        "From the start", ">From quoted", ">>>From deep", "From ", "", " ", "plain text", "\u00e9t\u00e9 8-bit",
        "From a@b Tue Mar  5 09:20:30 2024", "Status: RO", "X-UID: 7", "lone\rCR", "trailing space ", "\0nul",
        "Content-Length: 3",
    ];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RandomMessagesSurviveEveryPath(int seed)
    {
        var random = new Random(seed);
        using var fixture = new MboxDriverFixture();
        string path = fixture.NewPath("box");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        var expected = new List<byte[]>();
        using (var box = fixture.Driver.Open(path, "box", readOnly: false))
        {
            for (int i = 0; i < 40; i++)
            {
                var text = new StringBuilder($"Subject: random {i}\r\nFrom: x@example.org\r\n");
                int shape = random.Next(6);
                if (shape != 0)
                {
                    text.Append("\r\n");
                    int lines = random.Next(shape == 1 ? 0 : 1, 8);
                    for (int l = 0; l < lines; l++)
                    {
                        text.Append(Lines[random.Next(Lines.Length)]);
                        if (l < lines - 1 || shape != 2)
                        {
                            text.Append("\r\n");
                        }
                    }
                }

                byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
                expected.Add(bytes);
                var flags = FlagSet.Of((MessageFlags)random.Next(32), random.Next(3) == 0 ? ["k" + random.Next(3)] : []);
                box.Append(new MemoryStream(bytes), flags, DateTimeOffset.UnixEpoch.AddDays(random.Next(20000)));
            }

            box.Sync();
            Check(box, expected, "after append");
            box.Store(box.Messages.Where((_, n) => n % 3 == 0).Select(m => m.Uid).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
            box.Checkpoint();
            box.Sync();
            Check(box, expected, "after rewrite");
        }

        File.Delete(fixture.Mbox.IndexPathFor(path));
        using var again = fixture.Driver.Open(path, "box", readOnly: true);
        Check(again, expected, "from the file alone");
        Assert.That(again.Messages.Where((_, n) => n % 3 == 0).All(m => m.Flags.Has(MessageFlags.Answered)), Is.True);
    }

    /// <summary>
    /// Messages above <see cref="Imap4d.Storage.Mbox.MboxState.LargeMessage"/> are stored and read
    /// through spools, line by line in fixed buffers (lines longer than a buffer included), and
    /// must come back exactly as the small ones do.
    /// </summary>
    [TestCase(4)]
    [TestCase(5)]
    public void LargeMessagesSurviveEveryPath(int seed)
    {
        var random = new Random(seed);
        using var fixture = new MboxDriverFixture();
        string path = fixture.NewPath("big");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        var expected = new List<byte[]>();
        using (var box = fixture.Driver.Open(path, "big", readOnly: false))
        {
            for (int i = 0; i < 3; i++)
            {
                var text = new StringBuilder($"Subject: large {i}\r\nFrom: x@example.org\r\n\r\n");
                while (text.Length < Imap4d.Storage.Mbox.MboxState.LargeMessage + 100_000)
                {
                    text.Append(random.Next(50) == 0 ? new string('x', random.Next(60_000, 140_000)) : Lines[random.Next(Lines.Length)]);
                    text.Append(random.Next(40) == 0 ? "\n" : "\r\n");
                }

                text.Append(i == 1 ? "From the end, no newline" : "last\r\n");
                byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
                expected.Add(LineEndingsOfTheClient(bytes));
                box.Append(new MemoryStream(bytes), FlagSet.Empty, DateTimeOffset.UnixEpoch);
            }

            box.Sync();
            Check(box, expected, "after append");
            box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
            box.Checkpoint();
            box.Sync();
            Check(box, expected, "after rewrite");
        }

        File.Delete(fixture.Mbox.IndexPathFor(path));
        using var again = fixture.Driver.Open(path, "big", readOnly: true);
        Check(again, expected, "from the file alone");
    }

    /// <summary>What a client gets back: every bare LF becomes CRLF.</summary>
    private static byte[] LineEndingsOfTheClient(byte[] sent) => LineEndings.ToCrlf(LineEndings.ToLf(sent));

    private static void Check(IMailbox box, List<byte[]> expected, string when)
    {
        Assert.That(box.Messages, Has.Count.EqualTo(expected.Count), when);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(MboxTestSupport.ReadBytes(box, box.Messages[i].Uid), Is.EqualTo(expected[i]), $"message {i + 1} {when}");
            Assert.That(box.Messages[i].Size, Is.EqualTo(expected[i].Length), $"size of {i + 1} {when}");
        }
    }
}
