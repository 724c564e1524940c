using System.Text;
using Imap4d.Commands;

namespace Imap4d.Tests.Commands;

/// <summary>The top-level header as FETCH reads it: up to and including the first empty line.</summary>
public class HeaderReaderTests
{
    [TestCase("Subject: a\r\n\r\nbody\r\n", "Subject: a\r\n\r\n")]
    [TestCase("Subject: a\n\nbody\n", "Subject: a\n\n")]
    [TestCase("Subject: a\r\n\nbody", "Subject: a\r\n\n")]
    [TestCase("Subject: a\r\n", "Subject: a\r\n")]
    [TestCase("", "")]
    // A message that starts with a blank line has an empty header (Dovecot agrees).
    [TestCase("\r\nbody\r\n\r\nmore\r\n", "\r\n")]
    [TestCase("\nbody\n", "\n")]
    public void ReadsUpToTheFirstEmptyLine(string message, string header)
    {
        var stream = new MemoryStream(Encoding.Latin1.GetBytes(message));
        Assert.That(Encoding.Latin1.GetString(HeaderReader.ReadHeader(stream)), Is.EqualTo(header));
    }
}
