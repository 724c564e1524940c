using System.Text;
using Imap4d.Commands;
using Imap4d.Mime;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>CachedHeaderFields.FirstValues reads a cached block as the header parser does.</summary>
public class CachedFirstValuesTests
{
    [Test]
    public void GivesTheFirstFieldOfEachNameUnfolded()
    {
        byte[] raw = [1, .. Encoding.Latin1.GetBytes("From: a\r\n b\r\nSubject:\tx  y\r\nX-Other: z\r\nfrom: second\r\nbroken line\r\nTo :  t\n")];
        var values = CachedHeaderFields.FirstValues(raw, ["From", "Subject", "To", "Cc"]);
        var parsed = HeaderParser.Parse(raw.AsSpan(1));
        Assert.That(values, Is.EqualTo(new[] { parsed.GetValue("From"), parsed.GetValue("Subject"), parsed.GetValue("To"), null }));
        Assert.That(values[0], Is.EqualTo("a b"));
    }
}
