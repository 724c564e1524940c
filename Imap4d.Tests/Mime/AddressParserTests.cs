using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class AddressParserTests
{
    private static string Show(string value) =>
        string.Join(" ", AddressParser.Parse(value).Select(a => $"({a.Name ?? "NIL"}|{a.Route ?? "NIL"}|{a.Mailbox ?? "NIL"}|{a.Host ?? "NIL"})"));

    [TestCase("a@b", "(NIL|NIL|a|b)")]
    [TestCase("Fred Foobar <foobar@Blurdybloop.example>", "(Fred Foobar|NIL|foobar|Blurdybloop.example)")]
    [TestCase("\"Smith, John\" <js@x.org>", "(Smith, John|NIL|js|x.org)")]
    [TestCase("=?utf-8?q?J=C3=B6?= <j@y>", "(=?utf-8?q?J=C3=B6?=|NIL|j|y)")]
    [TestCase("a@b (Comment)", "(Comment|NIL|a|b)")]
    [TestCase("a@b (outer (nested) c)", "(outer (nested) c|NIL|a|b)")]
    [TestCase("<@r1,@r2:u@h>", "(NIL|@r1,@r2|u|h)")]
    [TestCase("undisclosed-recipients:;", "(NIL|NIL|undisclosed-recipients|NIL) (NIL|NIL|NIL|NIL)")]
    [TestCase("Group: a@b, \"c d\" <c@d>;, e@f", "(NIL|NIL|Group|NIL) (NIL|NIL|a|b) (c d|NIL|c|d) (NIL|NIL|NIL|NIL) (NIL|NIL|e|f)")]
    [TestCase("Unclosed: a@b", "(NIL|NIL|Unclosed|NIL) (NIL|NIL|a|b) (NIL|NIL|NIL|NIL)")]
    [TestCase("foo", "(NIL|NIL|foo|MISSING_DOMAIN)")]
    [TestCase("bad@", "(NIL|NIL|bad|MISSING_DOMAIN)")]
    [TestCase("@nolocal", "(NIL|NIL|MISSING_MAILBOX|nolocal)")]
    [TestCase("<>", "(NIL|NIL|MISSING_MAILBOX|MISSING_DOMAIN)")]
    [TestCase("x y z", "(x y z|NIL|MISSING_MAILBOX|MISSING_DOMAIN)")]
    [TestCase("john . doe @ example . com", "(NIL|NIL|john.doe|example.com)")]
    [TestCase("a@[1.2.3.4]", "(NIL|NIL|a|[1.2.3.4])")]
    [TestCase("\"quoted local\"@x", "(NIL|NIL|\"quoted local\"|x)")]
    [TestCase(",,a@b,,", "(NIL|NIL|a|b)")]
    [TestCase("", "")]
    public void Parses(string value, string expected) => Assert.That(Show(value), Is.EqualTo(expected));

    [Test]
    public void GarbageNeverThrows()
    {
        var rnd = new Random(5);
        const string alphabet = "<>@,;:\"()[]\\. ab\t\r\n\0\xff";
        for (int i = 0; i < 20000; i++)
        {
            var chars = new char[rnd.Next(40)];
            for (int j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[rnd.Next(alphabet.Length)];
            }

            var list = AddressParser.Parse(new string(chars));
            int open = 0;
            foreach (var a in list)
            {
                if (a.IsGroupStart)
                {
                    open++;
                }
                else if (a.IsGroupEnd)
                {
                    open--;
                }
                else
                {
                    Assert.That(a.Mailbox, Is.Not.Null);
                    Assert.That(a.Host, Is.Not.Null);
                }

                Assert.That(open, Is.InRange(0, 1));
            }

            Assert.That(open, Is.Zero, "groups are always closed");
        }
    }
}
