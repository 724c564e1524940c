using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class LiteralMarkerTests
{
    [TestCase("{5}", 5L, false)]
    [TestCase("a LOGIN {5}", 5L, false)]
    [TestCase("{0}", 0L, false)]
    [TestCase("x {12+}", 12L, true)]
    [TestCase("x {12-}", 12L, true)]
    [TestCase("{999999999999999999}", 999999999999999999L, false)]
    [TestCase("{9999999999999999999}", long.MaxValue, false)]
    [TestCase("{99999999999999999999999999999999+}", long.MaxValue, true)]
    [TestCase("x}{5}", 5L, false)]
    public void FindsMarkers(string line, long length, bool nonSync)
    {
        Assert.That(LiteralMarker.FindAtEnd(Encoding.ASCII.GetBytes(line)), Is.EqualTo(new LiteralMarker(length, nonSync)));
    }

    [TestCase("")]
    [TestCase("}")]
    [TestCase("{}")]
    [TestCase("{+}")]
    [TestCase("5}")]
    [TestCase("{5")]
    [TestCase("{5} ")]
    [TestCase("{ 5}")]
    [TestCase("{5 }")]
    [TestCase("{-5}")]
    [TestCase("{5++}")]
    [TestCase("{+5}")]
    [TestCase("{x5}")]
    [TestCase("{5}}")]
    public void IgnoresNonMarkers(string line)
    {
        Assert.That(LiteralMarker.FindAtEnd(Encoding.ASCII.GetBytes(line)), Is.Null);
    }
}
