using System.Text;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// python3's imaplib (and raw sockets for what imaplib cannot send) through a long scripted
/// session: APPEND literals with dates and keywords, partial fetches, BODYSTRUCTURE of a
/// multipart message, UID commands, MOVE, UNSELECT, EXAMINE refusing STORE, NAMESPACE, IDLE,
/// and error responses. The result is then read from the mailbox files through the drivers.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class ImaplibSessionTests(string type) : RealClientTest
{
    private const string Plain = "From: a@example.org\r\nSubject: plain one\r\n\r\n0123456789abcdefghij\r\n";

    private const string Multi =
        "From: Carol <carol@example.com>\r\n" +
        "To: demo@example.org\r\n" +
        "Subject: Quarterly report\r\n" +
        "Date: Wed, 4 Feb 2026 07:30:12 -0500\r\n" +
        "Message-ID: <q1@example.com>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"xyz\"\r\n" +
        "\r\n" +
        "preamble\r\n" +
        "--xyz\r\n" +
        "Content-Type: text/plain; charset=us-ascii\r\n" +
        "\r\n" +
        "See the attachment.\r\n" +
        "--xyz\r\n" +
        "Content-Type: application/octet-stream; name=\"q1.bin\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "Content-Disposition: attachment; filename=\"q1.bin\"\r\n" +
        "\r\n" +
        "AAECAwQFBgcICQ==\r\n" +
        "--xyz--\r\n";

    private const string Script = """
import imaplib, socket, sys, time
PORT = int(sys.argv[1])
def show(label, r):
    typ, data = r
    out = []
    for x in data:
        if isinstance(x, tuple):
            out.append(x[0].decode() + '|' + x[1].decode().replace('\r\n', '\\n'))
        elif isinstance(x, bytes):
            out.append(x.decode())
        else:
            out.append(repr(x))
    print(label, typ, ' ~ '.join(out))

class Raw:
    def __init__(self):
        self.s = socket.create_connection(('127.0.0.1', PORT), timeout=10)
        self.f = self.s.makefile('rb')
        self.greeting = self.line()
    def line(self):
        return self.f.readline().decode().rstrip('\r\n')
    def send(self, text):
        self.s.sendall(text.encode() + b'\r\n')
    def cmd(self, tag, text):
        self.send(tag + ' ' + text)
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if l.startswith(tag + ' ') or l == '':
                return lines

PLAIN = PLAIN_MESSAGE
MULTI = MULTI_MESSAGE

c = imaplib.IMAP4('127.0.0.1', PORT)
c.login('demo', 'demo')
show('namespace', c.namespace())
show('create', c.create('Archive'))
show('append-missing', c.append('Nowhere', None, None, PLAIN))
show('append-plain', c.append('INBOX', '(\\Flagged $Project)', '"01-Feb-2026 10:20:30 +0100"', PLAIN))
show('append-multi', c.append('INBOX', '(\\Seen)', '"04-Feb-2026 13:30:12 +0000"', MULTI))
show('append-third', c.append('INBOX', None, None, b'Subject: third\r\n\r\nthree\r\n'))
show('append-fourth', c.append('INBOX', '(\\Answered)', None, b'Subject: fourth\r\n\r\nfour\r\n'))
show('select', c.select('INBOX'))
t, d = c.fetch('1', 'INTERNALDATE'); print('internaldate-epoch', time.mktime(imaplib.Internaldate2tuple(d[0])) == time.mktime(imaplib.Internaldate2tuple(b'INTERNALDATE "01-Feb-2026 10:20:30 +0100"')))
show('fetch-meta', c.fetch('1:2', '(FLAGS INTERNALDATE RFC822.SIZE)'))
show('partial-all', c.fetch('1', '(BODY.PEEK[]<0.20>)'))
show('partial-text', c.fetch('1', '(BODY.PEEK[TEXT]<4.6>)'))
show('partial-beyond', c.fetch('1', '(BODY.PEEK[TEXT]<1000.5>)'))
show('bodystructure', c.fetch('2', '(BODYSTRUCTURE)'))
show('part2', c.fetch('2', '(BODY.PEEK[2] BODY.PEEK[2.MIME])'))
show('envelope', c.fetch('2', '(ENVELOPE)'))
show('uid-fetch', c.uid('FETCH', '2:3', '(FLAGS)'))
show('uid-store', c.uid('STORE', '3', '+FLAGS', '(\\Seen $Done)'))
show('uid-copy', c._simple_command('UID', 'COPY', '1', 'Archive'))
show('uid-move', c._simple_command('UID', 'MOVE', '2', 'Archive'))
show('uid-move-untagged', c.response('EXPUNGE'))
show('move-seq', c._simple_command('MOVE', '1', 'Missing'))
show('after-move', c.fetch('1:*', '(UID FLAGS)'))
show('store-deleted', c.store('2', '+FLAGS.SILENT', '(\\Deleted)'))
show('unselect', c._simple_command('UNSELECT'))
show('reselect', c.select('INBOX'))
show('still-there', c.fetch('1:*', '(UID FLAGS)'))
show('uid-expunge', c._simple_command('UID', 'EXPUNGE', '1:3'))
show('uid-expunge-untagged', c.response('EXPUNGE'))
show('status', c.status('Archive', '(MESSAGES UIDNEXT UNSEEN)'))
c.logout()

r = Raw()
r.cmd('a', 'LOGIN demo demo')
print('garbage', r.cmd('b', 'FROB INBOX')[-1])
r.send('x')
print('tag-only', r.line())
print('fetch-unselected', r.cmd('c', 'FETCH 1 FLAGS')[-1])
print('examine', ' | '.join(r.cmd('d', 'EXAMINE INBOX')))
print('examine-store', r.cmd('e', 'STORE 1 +FLAGS (\\Deleted)')[-1])
print('examine-fetch-seen', ' | '.join(r.cmd('f', 'FETCH 1 (BODY[TEXT]<0.4> FLAGS)')))
print('bad-seq', r.cmd('g', 'FETCH 0:x FLAGS')[-1])
print('bad-item', r.cmd('h', 'FETCH 1 (NOSUCHITEM)')[-1])
print('close-ro', r.cmd('i', 'CLOSE')[-1])
r.cmd('j', 'SELECT INBOX')
r.send('k IDLE')
print('idle-cont', r.line())
o = imaplib.IMAP4('127.0.0.1', PORT)
o.login('demo', 'demo')
t0 = time.time()
o.append('INBOX', None, None, b'Subject: during idle\r\n\r\npushed\r\n')
pushed = []
while True:
    l = r.line()
    pushed.append(l)
    if l.endswith(' EXISTS') or l == '':
        break
print('idle-push', ' | '.join(pushed), 'fast' if time.time() - t0 < 3 else 'slow')
o.logout()
r.send('DONE')
print('idle-done', r.line() if True else '')
print('logout', ' | '.join(r.cmd('z', 'LOGOUT')))
""";

    [Test]
    public void ScriptedSessionAndTheFilesAfterIt()
    {
        var daemon = StartDaemon(type);
        string script = Script
            .Replace("PLAIN_MESSAGE", ClientDaemon.PyBytes(Plain))
            .Replace("MULTI_MESSAGE", ClientDaemon.PyBytes(Multi));
        var (code, stdout, stderr) = ClientProgram.Run("python3", ["-c", script, daemon.Port.ToString()], TimeSpan.FromSeconds(20));
        TestContext.Out.WriteLine(stdout);
        Assert.That(code, Is.EqualTo(0), stderr);
        var lines = stdout.Split('\n');
        string Line(string label) => lines.FirstOrDefault(l => l.StartsWith(label + " ", StringComparison.Ordinal)) ?? $"({label} missing)";

        Assert.Multiple(() =>
        {
            Assert.That(Line("namespace"), Is.EqualTo("namespace OK ((\"\" \"/\")) NIL NIL"));
            Assert.That(Line("append-missing"), Does.StartWith("append-missing NO [TRYCREATE]"));
            Assert.That(Line("append-plain"), Does.Match(@"^append-plain OK \[APPENDUID \d+ 1\] "));
            Assert.That(Line("append-fourth"), Does.Match(@"^append-fourth OK \[APPENDUID \d+ 4\] "));
            Assert.That(Line("select"), Is.EqualTo("select OK 4"));
            Assert.That(Line("internaldate-epoch"), Is.EqualTo("internaldate-epoch True"), "APPEND's date-time is the INTERNALDATE");
            Assert.That(Line("fetch-meta"), Does.Contain("1 (FLAGS (\\Flagged $Project \\Recent) INTERNALDATE \"").And.Contain($"RFC822.SIZE {Plain.Length})"));
            Assert.That(Line("fetch-meta"), Does.Contain("2 (FLAGS (\\Seen \\Recent) INTERNALDATE \"04-Feb-2026 13:30:12 +0000\"").And.Contain($"RFC822.SIZE {Multi.Length})"));
            Assert.That(Line("partial-all"), Is.EqualTo("partial-all OK 1 (BODY[]<0> {20}|From: a@example.org\r ~ )"));
            Assert.That(Line("partial-text"), Is.EqualTo("partial-text OK 1 (BODY[TEXT]<4> {6}|456789 ~ )"));
            Assert.That(Line("partial-beyond"), Is.EqualTo("partial-beyond OK 1 (BODY[TEXT]<1000> \"\")"));
            Assert.That(Line("bodystructure"), Does.Match(
                "^bodystructure OK 2 \\(BODYSTRUCTURE \\(" +
                "\\(\"text\" \"plain\" \\(\"charset\" \"us-ascii\"\\) NIL NIL \"7bit\" 19 [01] NIL NIL NIL NIL\\)" +
                "\\(\"application\" \"octet-stream\" \\(\"name\" \"q1.bin\"\\) NIL NIL \"base64\" 16 NIL \\(\"attachment\" \\(\"filename\" \"q1.bin\"\\)\\) NIL NIL\\)" +
                " \"mixed\" \\(\"boundary\" \"xyz\"\\) NIL NIL NIL\\)\\)$").IgnoreCase);
            Assert.That(Line("part2"), Does.StartWith("part2 OK 2 (BODY[2] {16}|AAECAwQFBgcICQ== ~  BODY[2.MIME] {144}|Content-Type: application/octet-stream; name=\"q1.bin\"\\n"));
            Assert.That(Line("envelope"), Is.EqualTo("envelope OK 2 (ENVELOPE (\"Wed, 4 Feb 2026 07:30:12 -0500\" \"Quarterly report\" " +
                "((\"Carol\" NIL \"carol\" \"example.com\")) ((\"Carol\" NIL \"carol\" \"example.com\")) ((\"Carol\" NIL \"carol\" \"example.com\")) " +
                "((NIL NIL \"demo\" \"example.org\")) NIL NIL NIL \"<q1@example.com>\"))"));
            Assert.That(Line("uid-fetch"), Is.EqualTo("uid-fetch OK 2 (UID 2 FLAGS (\\Seen \\Recent)) ~ 3 (UID 3 FLAGS (\\Recent))"));
            Assert.That(Line("uid-store"), Is.EqualTo("uid-store OK 3 (UID 3 FLAGS (\\Seen $Done \\Recent))"));
            Assert.That(Line("uid-copy"), Does.Match(@"^uid-copy OK \[COPYUID \d+ 1 1\] "));
            Assert.That(Line("uid-move"), Does.StartWith("uid-move OK"));
            Assert.That(Line("uid-move-untagged"), Is.EqualTo("uid-move-untagged EXPUNGE 2"));
            Assert.That(Line("move-seq"), Does.StartWith("move-seq NO [TRYCREATE]"));
            Assert.That(Line("after-move"), Is.EqualTo("after-move OK 1 (UID 1 FLAGS (\\Flagged $Project \\Recent)) ~ 2 (UID 3 FLAGS (\\Seen $Done \\Recent)) ~ 3 (UID 4 FLAGS (\\Answered \\Recent))"));
            Assert.That(Line("unselect"), Does.StartWith("unselect OK"));
            Assert.That(Line("still-there"), Does.Contain("2 (UID 3 FLAGS (\\Seen \\Deleted $Done").And.Contain("3 (UID 4 "), "UNSELECT expunged nothing");
            Assert.That(Line("uid-expunge-untagged"), Is.EqualTo("uid-expunge-untagged EXPUNGE 2"));
            Assert.That(Line("status"), Does.Match("^status OK \"?Archive\"? \\(MESSAGES 2 UIDNEXT 3 UNSEEN 1\\)$"));
            Assert.That(Line("garbage"), Does.StartWith("garbage b BAD"));
            Assert.That(Line("tag-only"), Does.StartWith("tag-only x BAD"));
            Assert.That(Line("fetch-unselected"), Does.Match("^fetch-unselected c (BAD|NO) "));
            Assert.That(Line("examine"), Does.Contain("[PERMANENTFLAGS ()]").And.Contain("* 2 EXISTS").And.Contain("d OK [READ-ONLY]"));
            Assert.That(Line("examine-store"), Does.StartWith("examine-store e NO"));
            Assert.That(Line("examine-fetch-seen"), Does.Contain("FLAGS (\\Flagged $Project))").And.Contain("f OK"), "BODY[] on a read-only mailbox sets no \\Seen");
            Assert.That(Line("bad-seq"), Does.StartWith("bad-seq g BAD"));
            Assert.That(Line("bad-item"), Does.StartWith("bad-item h BAD"));
            Assert.That(Line("idle-cont"), Does.StartWith("idle-cont + "));
            Assert.That(Line("idle-push"), Does.Contain("* 3 EXISTS").And.EndWith(" fast"));
            Assert.That(stdout, Does.Contain("k OK").And.Contain("z OK LOGOUT"));
        });

        // What the files hold afterwards.
        var inbox = daemon.ReadMailbox("INBOX");
        Assert.That(inbox.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 4, 5 }));
        Assert.That(inbox[0].Text, Is.EqualTo(Plain));
        Assert.That(inbox[0].Flags.ToString(), Is.EqualTo("(\\Flagged $Project)"));
        Assert.That(inbox[1].Flags.ToString(), Is.EqualTo("(\\Answered)"));
        Assert.That(inbox[2].Text, Is.EqualTo("Subject: during idle\r\n\r\npushed\r\n"));
        var archive = daemon.ReadMailbox("Archive");
        Assert.That(archive.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(archive[0].Text, Is.EqualTo(Plain));
        Assert.That(archive[0].Flags.ToString(), Is.EqualTo("(\\Flagged $Project)"), "COPY keeps flags and keywords");
        Assert.That(Encoding.UTF8.GetString(archive[1].Content), Is.EqualTo(Multi), "MOVE keeps the message byte for byte");
        Assert.That(archive[1].Flags.ToString(), Is.EqualTo("(\\Seen)"));
    }
}
