namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// python3's imaplib, which can ENABLE (3.9+) but knows no IMAP4rev2 itself, through a session
/// that turns IMAP4rev2 on (RFC 9051): imaplib keeps working (LOGIN, SELECT, FETCH, STORE, STATUS),
/// and the untagged data it collects is IMAP4rev2's: a LIST line from SELECT and no RECENT, no
/// \Recent, ESEARCH instead of SEARCH, STATUS DELETED. (MailKit 4.18.2 never sends ENABLE
/// IMAP4rev2; its tests show that advertising it changes nothing for it.)
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class ImaplibImap4Rev2Tests(string type) : RealClientTest
{
    private const string Script = """
import imaplib, re, sys
PORT = int(sys.argv[1])
def text(data):
    return ' ~ '.join(x.decode() if isinstance(x, bytes) else repr(x) for x in data)
def show(label, r):
    print(label, r[0], re.sub(r'TAG "[^"]*"', 'TAG "t"', text(r[1])))

c = imaplib.IMAP4('127.0.0.1', PORT)
print('capabilities', ' '.join(c.capabilities))
c.login('demo', 'demo')
show('append-one', c.append('INBOX', None, None, b'Subject: one\r\n\r\nfirst\r\n'))
show('append-two', c.append('INBOX', '(\\Flagged)', None, b'Subject: two\r\n\r\nsecond\r\n'))
show('enable', c.enable('IMAP4rev2'))
show('select', c.select('INBOX'))
show('select-list', c.response('LIST'))
show('select-recent', c.response('RECENT'))
show('fetch', c.fetch('1:*', '(UID FLAGS)'))
show('search', c.search(None, 'FLAGGED'))
show('search-esearch', c.response('ESEARCH'))
show('uid-search', c.uid('SEARCH', 'ALL'))
show('uid-search-esearch', c.response('ESEARCH'))
show('store', c.store('1', '+FLAGS', '(\\Deleted)'))
show('status', c.status('INBOX', '(MESSAGES DELETED UNSEEN)'))
show('close', c.close())
show('status-after-close', c.status('INBOX', '(MESSAGES DELETED)'))
c.logout()
""";

    [Test]
    public void ImaplibSessionAfterEnableImap4Rev2()
    {
        var daemon = StartDaemon(type);
        var (code, stdout, stderr) = ClientProgram.Run("python3", ["-c", Script, daemon.Port.ToString()], TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine(stdout);
        Assert.That(code, Is.EqualTo(0), stderr);
        var lines = stdout.Split('\n');
        string Line(string label) => lines.FirstOrDefault(l => l.StartsWith(label + " ", StringComparison.Ordinal)) ?? $"({label} missing)";

        Assert.Multiple(() =>
        {
            Assert.That(Line("capabilities"), Does.StartWith("capabilities IMAP4REV1 IMAP4REV2 "));
            Assert.That(Line("enable"), Is.EqualTo("enable OK ENABLE Completed"));
            Assert.That(Line("select"), Is.EqualTo("select OK 2"));
            Assert.That(Line("select-list"), Does.Match(@"^select-list LIST \(\\[A-Za-z]+\) ""/"" INBOX$"));
            Assert.That(Line("select-recent"), Is.EqualTo("select-recent RECENT None"));
            Assert.That(Line("fetch"), Is.EqualTo("fetch OK 1 (UID 1 FLAGS ()) ~ 2 (UID 2 FLAGS (\\Flagged))"));
            Assert.That(Line("search"), Is.EqualTo("search OK None"), "no SEARCH response for imaplib to return");
            Assert.That(Line("search-esearch"), Is.EqualTo("search-esearch ESEARCH (TAG \"t\") ALL 2"));
            Assert.That(Line("uid-search-esearch"), Is.EqualTo("uid-search-esearch ESEARCH (TAG \"t\") UID ALL 1:2"));
            Assert.That(Line("store"), Is.EqualTo("store OK 1 (FLAGS (\\Deleted))"));
            Assert.That(Line("status"), Does.Match("^status OK \"?INBOX\"? \\(MESSAGES 2 DELETED 1 UNSEEN 2\\)$"));
            Assert.That(Line("status-after-close"), Does.Match("^status-after-close OK \"?INBOX\"? \\(MESSAGES 1 DELETED 0\\)$"));
        });
    }
}
