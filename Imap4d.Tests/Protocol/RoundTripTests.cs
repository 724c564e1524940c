using System.Text;
using Imap4d.Config;
using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

/// <summary>
/// Random argument trees written with <see cref="ResponseWriter"/> as fake command lines and
/// read back with <see cref="CommandReader"/>: every value comes back with the same bytes
/// (the writer may pick atom, quoted string or literal; the reader must undo its choice).
/// </summary>
[TestFixture]
public class RoundTripTests
{
    private const int Commands = 3000;

    private abstract record Node;

    private sealed record AtomNode(string Value) : Node;

    private sealed record StringNode(byte[] Value) : Node;

    private sealed record AStringNode(string Value) : Node;

    private sealed record ListNode(List<Node> Items) : Node;

    // ATOM-CHARs plus what the reader's atoms also take (list wildcards, "\", "]"); "[" is left
    // out because it opens a section that may swallow the following arguments.
    private const string AtomChars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&'+,-./:;<=>?@^_`|}~%*\\]";

    private static readonly string[] TextPieces =
        ["a", "Z", " ", "\"", "\\", "\r", "\n", "\r\n", "\0", "(", ")", "{", "}", "{3}", "%", "*", "[", "]", "NIL",
         "é", "日本", "\U0001F600", "~", "\t", "\u007f", "+"];

    [Test]
    public async Task RandomArgumentTreesSurviveWriterAndReader()
    {
        var random = TestContext.CurrentContext.Random;
        var commands = new List<List<Node>>();
        var wire = new MemoryStream();
        var writer = new ResponseWriter(wire);
        for (int i = 0; i < Commands; i++)
        {
            var args = new List<Node>();
            int count = random.Next(0, 8);
            for (int j = 0; j < count; j++)
            {
                args.Add(RandomNode(random, 0));
            }

            commands.Add(args);
            writer.Tag("T" + i).Atom("CMD");
            foreach (var arg in args)
            {
                Write(writer, arg);
            }

            writer.EndLine();
        }

        await writer.FlushAsync(CancellationToken.None);
        wire.Position = 0;

        int continuations = 0;
        var reader = new CommandReader(new InputBuffer(wire), new ProtocolLimits(), _ =>
        {
            continuations++;
            return ValueTask.CompletedTask;
        });
        int literals = 0;
        for (int i = 0; i < Commands; i++)
        {
            using var command = await reader.ReadCommandAsync(CancellationToken.None);
            Assert.That(command, Is.Not.Null, $"command {i}");
            Assert.That((command!.Tag, command.Name), Is.EqualTo(("T" + i, "CMD")));
            Assert.That(command.Args, Has.Count.EqualTo(commands[i].Count), $"command {i}");
            for (int j = 0; j < command.Args.Count; j++)
            {
                Compare(commands[i][j], command.Args[j], $"T{i} arg {j}", ref literals);
            }
        }

        Assert.That(await reader.ReadCommandAsync(CancellationToken.None), Is.Null);
        Assert.That(continuations, Is.EqualTo(literals), "one continuation request per (synchronizing) literal");
        Assert.That(literals, Is.GreaterThan(Commands / 10), "the corpus exercises literals");
    }

    private static Node RandomNode(Random random, int depth)
    {
        switch (random.Next(depth < 5 ? 10 : 8))
        {
            case 0:
            case 1:
                return new AtomNode(RandomAtom(random));
            case 2:
            case 3:
            case 4:
                return new StringNode(RandomBytes(random));
            case 5:
            case 6:
            case 7:
                return new AStringNode(RandomText(random));
            default:
                var items = new List<Node>();
                int n = random.Next(0, 5);
                for (int i = 0; i < n; i++)
                {
                    items.Add(RandomNode(random, depth + 1));
                }

                return new ListNode(items);
        }
    }

    private static string RandomAtom(Random random)
    {
        if (random.Next(10) == 0)
        {
            return random.Next(2) == 0 ? "NIL" : "nil";
        }

        var sb = new StringBuilder();
        int n = random.Next(1, 12);
        for (int i = 0; i < n; i++)
        {
            sb.Append(AtomChars[random.Next(AtomChars.Length)]);
        }

        return sb.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        int length = random.Next(20) switch
        {
            0 => 0,
            1 => random.Next(1000, 1100), // around the longest quoted string
            _ => random.Next(1, 30),
        };
        var bytes = new byte[length];
        bool printable = random.Next(3) == 0;
        for (int i = 0; i < length; i++)
        {
            bytes[i] = random.Next(printable ? 12 : 6) switch
            {
                0 => (byte)'"',
                1 => (byte)'\\',
                2 => (byte)'\r',
                3 => (byte)'\n',
                4 => 0,
                5 => (byte)random.Next(0x80, 0x100),
                _ => (byte)random.Next(0x20, 0x7f),
            };
        }

        return bytes;
    }

    private static string RandomText(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                return "";
            case 1:
                return RandomAtom(random).Replace("%", "").Replace("*", "").Replace("\\", "") is { Length: > 0 } s ? s : "x";
            default:
                var sb = new StringBuilder();
                int n = random.Next(1, 8);
                for (int i = 0; i < n; i++)
                {
                    sb.Append(TextPieces[random.Next(TextPieces.Length)]);
                }

                // "[" may make an astring atom run into the next argument (see AtomChars).
                return sb.Replace("[", "").ToString();
        }
    }

    private static void Write(ResponseWriter writer, Node node)
    {
        switch (node)
        {
            case AtomNode a:
                writer.Atom(a.Value);
                break;
            case StringNode s:
                writer.String(s.Value);
                break;
            case AStringNode s:
                writer.AString(s.Value);
                break;
            case ListNode l:
                writer.BeginList();
                foreach (var item in l.Items)
                {
                    Write(writer, item);
                }

                writer.EndList();
                break;
        }
    }

    /// <summary>What the writer sends for a string: a literal cannot hold NUL (RFC 3501 CHAR8), it goes out as 0x80.</summary>
    private static byte[] Sent(byte[] value) => value.Select(b => b == 0 ? (byte)0x80 : b).ToArray();

    private static void Compare(Node expected, ImapArg actual, string where, ref int literals)
    {
        if (actual is StringArg { IsLiteral: true })
        {
            literals++;
        }

        switch (expected)
        {
            case AtomNode a:
                Assert.That(actual, Is.EqualTo(new AtomArg(a.Value)), where);
                break;
            case StringNode s:
                Assert.That(actual, Is.TypeOf<StringArg>(), where);
                Assert.That(((StringArg)actual).Content.ToArray(), Is.EqualTo(Sent(s.Value)), where);
                break;
            case AStringNode s when actual is AtomArg atom:
                Assert.That(atom.Value, Is.EqualTo(s.Value), where);
                Assert.That(atom.Value, Is.Not.EqualTo("NIL").IgnoreCase, where + ": NIL must not be sent as an atom");
                break;
            case AStringNode s:
                Assert.That(actual, Is.TypeOf<StringArg>(), where);
                Assert.That(((StringArg)actual).Content.ToArray(), Is.EqualTo(Sent(Encoding.UTF8.GetBytes(s.Value))), where);
                break;
            case ListNode l:
                Assert.That(actual, Is.TypeOf<ListArg>(), where);
                var items = ((ListArg)actual).Items;
                Assert.That(items, Has.Count.EqualTo(l.Items.Count), where);
                for (int i = 0; i < items.Count; i++)
                {
                    Compare(l.Items[i], items[i], $"{where}.{i}", ref literals);
                }

                break;
        }
    }
}
