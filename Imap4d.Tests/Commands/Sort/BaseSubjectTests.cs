using Imap4d.Commands.Sort;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>RFC 5256 §2.1 base subject extraction, step by step.</summary>
public class BaseSubjectTests
{
    [TestCase("Hello world", "Hello world", false)]
    [TestCase("Re: Hello world", "Hello world", true)]
    [TestCase("RE: re: Re:Hello world", "Hello world", true)]
    [TestCase("Fwd: Hello", "Hello", true)]
    [TestCase("FW: Hello", "Hello", true)]
    [TestCase("fw : Hello", "Hello", true)]
    [TestCase("Re [2]: Hello", "Hello", true)]
    [TestCase("[list] Re: Hello", "Hello", true)]
    [TestCase("[list] [other] Re: Hello", "Hello", true)]
    [TestCase("[list] Hello", "Hello", false)]
    [TestCase("[list] [tag] Hello", "Hello", false)]
    [TestCase("[only a blob]", "[only a blob]", false)]
    [TestCase("[a] [only the last blob stays]", "[only the last blob stays]", false)]
    [TestCase("Hello (fwd)", "Hello", true)]
    [TestCase("Hello (FWD) (fwd)  ", "Hello", true)]
    [TestCase("[Fwd: Hello]", "Hello", true)]
    [TestCase("[fwd: Re: [list] Hello (fwd)]", "Hello", true)]
    [TestCase("Re: [fwd: Re: Hello]", "Hello", true)]
    [TestCase("[fwd: ]", "", true)]
    [TestCase("  Hello \t  world  ", "Hello world", false)]
    [TestCase("Re:", "", true)]
    [TestCase("", "", false)]
    [TestCase("Reply: Hello", "Reply: Hello", false)]
    [TestCase("Ref: Hello", "Ref: Hello", false)]
    [TestCase("Fwdx: Hello", "Fwdx: Hello", false)]
    [TestCase("Re: Re[3]: (fwd)", "", true)]
    [TestCase("Re: [unclosed Hello", "[unclosed Hello", true)]
    [TestCase("Hello Re: world", "Hello Re: world", false)]
    public void Extracts(string subject, string expected, bool replyOrForward) =>
        Assert.That(BaseSubject.Extract(subject), Is.EqualTo((expected, replyOrForward)));

    [Test]
    public void DecodesEncodedWordsFirst()
    {
        Assert.That(BaseSubject.FromHeader("=?UTF-8?Q?Re=3A_Gr=C3=BC=C3=9Fe?="), Is.EqualTo(("Gr\u00fc\u00dfe", true)));
        Assert.That(BaseSubject.FromHeader("=?iso-8859-1?q?AW=3A?= =?utf-8?b?w4RwZmVs?="), Is.EqualTo(("AW:\u00c4pfel", false)));
    }

    [Test]
    public void FoldedSubjectsBecomeOneLine() =>
        Assert.That(BaseSubject.FromHeader("Re: long\t subject\r\n  folded"), Is.EqualTo(("long subject folded", true)));

    [Test]
    public void AMissingSubjectIsEmpty() => Assert.That(BaseSubject.FromHeader(null), Is.EqualTo(("", false)));
}
