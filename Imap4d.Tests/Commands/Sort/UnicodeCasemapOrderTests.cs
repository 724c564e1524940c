using Imap4d.Commands.Sort;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>
/// i;unicode-casemap (RFC 5051) decomposes with NFKD, which puts combining marks in canonical
/// order: the same letter with its marks typed in either order, or precomposed, has one key.
/// </summary>
[TestFixture]
public class UnicodeCasemapOrderTests
{
    [TestCase("a\u0302\u0323", "a\u0323\u0302")]
    [TestCase("\u1ead", "a\u0302\u0323")]
    [TestCase("q\u0307\u0323x", "Q\u0323\u0307X")]
    public void MarksInEitherOrderHaveOneKey(string one, string other)
    {
        Assert.That(UnicodeCasemap.Key(one), Is.EqualTo(UnicodeCasemap.Key(other)));
        Assert.That(UnicodeCasemap.Key(one), Does.Contain("\u0323\u0302").Or.Contain("\u0323\u0307"));
    }
}
