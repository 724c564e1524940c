using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class ArgReaderTests
{
    private static StringArg Str(string latin1, bool literal = false) => StringArg.FromBytes(Encoding.Latin1.GetBytes(latin1), literal);

    [Test]
    public void AStrings()
    {
        var r = new ArgReader([new AtomArg("fred"), Str("caf\xc3\xa9"), Str("x", literal: true), new AtomArg("a]b")]);
        Assert.That(r.ExpectAString(), Is.EqualTo("fred"));
        Assert.That(r.ExpectAString(), Is.EqualTo("café"));
        Assert.That(r.ExpectAString(), Is.EqualTo("x"));
        Assert.That(r.ExpectAString(), Is.EqualTo("a]b"));
        Assert.That(r.AtEnd, Is.True);
        Assert.DoesNotThrow(r.ExpectEnd);
        Assert.That(Assert.Throws<ImapSyntaxException>(() => r.ExpectAString("password"))!.Message, Is.EqualTo("Missing password"));
    }

    [TestCase("a%")]
    [TestCase("*")]
    [TestCase("\\Seen")]
    public void WildcardsAndFlagsAreNotAStrings(string atom)
    {
        var e = Assert.Throws<ImapSyntaxException>(() => new ArgReader([new AtomArg(atom)]).ExpectAString("mailbox name"));
        Assert.That(e!.Message, Is.EqualTo("Invalid mailbox name"));
    }

    [Test]
    public void Utf8IsChecked()
    {
        var e = Assert.Throws<ImapSyntaxException>(() => new ArgReader([Str("\xff")]).ExpectAString("user name"));
        Assert.That(e!.Message, Is.EqualTo("Invalid UTF-8 in user name"));
        Assert.That(new ArgReader([Str("\xff")]).ExpectAStringBytes(), Is.EqualTo(new byte[] { 0xff }));
    }

    [Test]
    public void StringsNilAndLists()
    {
        var r = new ArgReader([new AtomArg("nil"), Str("x"), new AtomArg("x"), new ListArg([new AtomArg("a")]), new AtomArg("b")]);
        Assert.That(r.ExpectNString(), Is.Null);
        Assert.That(r.ExpectNString(), Is.EqualTo("x"));
        Assert.Throws<ImapSyntaxException>(() => r.ExpectString());
        Assert.That(r.TryList(out var list), Is.True);
        Assert.That(list.ExpectAtom(), Is.EqualTo("a"));
        Assert.That(r.TryList(out _), Is.False);
        Assert.That(r.TryAtom("B"), Is.True);
        Assert.That(r.Peek(), Is.Null);
        // A quoted "NIL" is a string, not NIL.
        Assert.That(new ArgReader([Str("NIL")]).ExpectNString(), Is.EqualTo("NIL"));
        Assert.That(new ArgReader([Str("NIL")]).TryNil(), Is.False);
        Assert.That(Assert.Throws<ImapSyntaxException>(() => new ArgReader([new AtomArg("x")]).ExpectEnd())!.Message,
            Is.EqualTo("Too many arguments"));
    }

    [TestCase("0", 0u)]
    [TestCase("007", 7u)]
    [TestCase("4294967295", 4294967295u)]
    public void Numbers(string atom, uint expected)
    {
        Assert.That(new ArgReader([new AtomArg(atom)]).ExpectNumber(), Is.EqualTo(expected));
    }

    [TestCase("4294967296")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase("1e3")]
    [TestCase("")]
    [TestCase("\u0661")]
    public void BadNumbers(string atom)
    {
        Assert.Throws<ImapSyntaxException>(() => new ArgReader([new AtomArg(atom)]).ExpectNumber());
    }

    [Test]
    public void NumbersMustBeAtoms()
    {
        Assert.Throws<ImapSyntaxException>(() => new ArgReader([Str("1")]).ExpectNumber());
        Assert.Throws<ImapSyntaxException>(() => new ArgReader([new AtomArg("0")]).ExpectNonZeroNumber());
        Assert.Throws<ImapSyntaxException>(() => new ArgReader([new AtomArg("1:")]).ExpectSequenceSet());
        Assert.That(new ArgReader([new AtomArg("1:*")]).ExpectSequenceSet().ToString(), Is.EqualTo("1:*"));
    }

    [TestCase("inbox", "INBOX")]
    [TestCase("InBoX", "INBOX")]
    [TestCase("INBOX/sub", "INBOX/sub")]
    [TestCase("inbox/sub", "inbox/sub")]
    public void MailboxNames(string name, string expected)
    {
        Assert.That(new ArgReader([new AtomArg(name)]).ExpectMailbox(), Is.EqualTo(expected));
        Assert.That(new ArgReader([Str(name)]).ExpectMailbox(), Is.EqualTo(expected));
    }
}
