namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// A year-named archive folder in an mbox namespace, as mbsync's "Archive/2026" creates it.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class NumericFolderNameTests : RealClientTest
{
    [Test]
    public void MboxFolderWithNumericNameIsListed()
    {
        var daemon = StartDaemon("mbox");
        daemon.Seed("Archive/2026", ("\\Seen", "Subject: archived\n\nold\n"));
        string output = ClientProgram.Python($$"""
            import imaplib
            c = imaplib.IMAP4('127.0.0.1', {{daemon.Port}})
            c.login('demo', 'demo')
            typ, data = c.list('""', '*')
            for line in data: print(line.decode())
            c.select('Archive/2026')
            typ, data = c.fetch('1:*', '(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
            print(data[0][1].decode().strip())
            """);
        Assert.That(output, Does.Contain("(\\Noselect \\HasChildren) \"/\" Archive\n").And.Contain("\"/\" Archive/2026\n"));
        Assert.That(output, Does.Contain("Subject: archived"));
    }
}
