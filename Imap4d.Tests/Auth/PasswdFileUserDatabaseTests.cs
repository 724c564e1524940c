using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class PasswdFileUserDatabaseTests
{
    // "s3cret" and "correct horse", made once with libxcrypt.
    private const string Sha256Secret = "$5$acImzfbtGXEET4Pr$E3pt2jWutmuq4Kc5vi4Nmz5Wq7QxKDG3QPYBqmZ2qR1";
    private const string YescryptCorrectHorse = "$y$j9T$VrIMSY5D2uLcvEwgrsWC9.$ui.oeRgT8irpeC49qxewRpemVOJP524AMiKXrGDIpS7";

    private string _dir = "";
    private string _path = "";
    private List<string> _warnings = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("imap4d-passwd-").FullName;
        _path = Path.Combine(_dir, "passwd");
        _warnings = [];
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private PasswdFileUserDatabase Open() => new(_path, _warnings.Add);

    private void Write(params string[] lines) => File.WriteAllText(_path, string.Join("\n", lines) + "\n");

    private static UserInfo? Login(PasswdFileUserDatabase db, string user, string password) =>
        db.AuthenticateAsync(user, password, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Test]
    public void AuthenticatesWithTheRightPasswordOnly()
    {
        Write($"alice:{Sha256Secret}:1001:1002:Alice A.:/var/mail/alice:/bin/false",
              $"bob:{YescryptCorrectHorse}:::Bob:/home/bob");
        var db = Open();

        Assert.That(db.Name, Is.EqualTo("virtual-users"));
        Assert.That(Login(db, "alice", "s3cret"), Is.EqualTo(new UserInfo("alice", "/var/mail/alice", 1001, 1002, "virtual-users")));
        Assert.That(Login(db, "bob", "correct horse"), Is.EqualTo(new UserInfo("bob", "/home/bob", null, null, "virtual-users")));
        Assert.That(Login(db, "alice", "S3cret"), Is.Null);
        Assert.That(Login(db, "alice", ""), Is.Null);
        Assert.That(Login(db, "carol", "s3cret"), Is.Null);
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void UserNamesAreCaseSensitive()
    {
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        var db = Open();
        Assert.That(Login(db, "Alice", "s3cret"), Is.Null);
        Assert.That(db.Lookup("ALICE"), Is.Null);
        Assert.That(db.Lookup("alice"), Is.Not.Null);
    }

    [Test]
    public void LookupNeedsNoPasswordAndWorksForLockedAccounts()
    {
        Write("alice::::x:/home/alice", "bob:!locked:::x:/home/bob", "carol:*:::x:/home/carol");
        var db = Open();
        Assert.That(db.Lookup("alice"), Is.EqualTo(new UserInfo("alice", "/home/alice", null, null, "virtual-users")));
        Assert.That(db.Lookup("bob"), Is.Not.Null);
        // An empty hash means "locked" here, never "no password needed".
        Assert.That(Login(db, "alice", ""), Is.Null);
        Assert.That(Login(db, "bob", "locked"), Is.Null);
        Assert.That(Login(db, "carol", "*"), Is.Null);
    }

    [Test]
    public void IgnoresCommentsBlankLinesAndCrLf()
    {
        File.WriteAllText(_path, $"# virtual users\r\n\r\n   \r\n  # indented comment\r\nalice:{Sha256Secret}:::Alice:/home/alice:\r\n");
        var db = Open();
        Assert.That(db.Count, Is.EqualTo(1));
        Assert.That(Login(db, "alice", "s3cret")?.Home, Is.EqualTo("/home/alice"));
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void SkipsMalformedLinesWithAWarningAndKeepsTheRest()
    {
        Write("nocolons",
              "short:hash:1:1:gecos",
              $":{Sha256Secret}:::x:/home/empty",
              $"relative:{Sha256Secret}:::x:home/relative",
              $"emptyhome:{Sha256Secret}:::x:",
              $"baduid:{Sha256Secret}:12a:1:x:/home/baduid",
              $"negative:{Sha256Secret}:-1:1:x:/home/negative",
              $"huge:{Sha256Secret}:99999999999:1:x:/home/huge",
              $"halfid:{Sha256Secret}:1000::x:/home/halfid",
              "plain:{PLAIN}s3cret:::x:/home/plain",
              $"good:{Sha256Secret}:::x:/home/good");
        var db = Open();

        Assert.That(db.Count, Is.EqualTo(1));
        Assert.That(Login(db, "good", "s3cret"), Is.Not.Null);
        Assert.That(_warnings, Has.Count.EqualTo(10));
        Assert.That(_warnings[0], Does.StartWith(_path + ":1:"));
        Assert.That(_warnings[3], Does.Contain("absolute"));
        Assert.That(_warnings, Has.None.Contains("$5$"), "warnings must not quote hashes");
        Assert.That(_warnings, Has.None.Contains("s3cret"), "warnings must not quote passwords");
    }

    [Test]
    public void FirstOfDuplicateNamesWins()
    {
        Write($"alice:{Sha256Secret}:::x:/home/first", $"alice:{YescryptCorrectHorse}:::x:/home/second");
        var db = Open();
        Assert.That(Login(db, "alice", "s3cret")?.Home, Is.EqualTo("/home/first"));
        Assert.That(Login(db, "alice", "correct horse"), Is.Null);
        Assert.That(_warnings, Has.Count.EqualTo(1).And.Some.Contains("duplicate"));
    }

    [Test]
    public void AcceptsDovecotCryptSchemeLabelsAndExtraFields()
    {
        Write($"alice:{{SHA256-CRYPT}}{Sha256Secret}:::x:/home/alice::userdb_quota_rule=*:storage=1G",
              $"bob:{{CRYPT}}{YescryptCorrectHorse}:500:500::/home/bob::");
        var db = Open();
        Assert.That(Login(db, "alice", "s3cret"), Is.Not.Null);
        Assert.That(Login(db, "bob", "correct horse")?.Uid, Is.EqualTo(500u));
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void AMissingFileMeansNoUsersAndOneWarning()
    {
        var db = Open();
        Assert.That(Login(db, "alice", "s3cret"), Is.Null);
        Assert.That(db.Lookup("alice"), Is.Null);
        Assert.That(_warnings, Has.Count.EqualTo(1).And.Some.Contains("cannot stat"));

        // Created later: picked up without a restart.
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        Assert.That(Login(db, "alice", "s3cret"), Is.Not.Null);
    }

    [Test]
    public void ReReadsTheFileWhenItChanges()
    {
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        var db = Open();
        Assert.That(Login(db, "alice", "s3cret"), Is.Not.Null);

        Write($"alice:{Sha256Secret}:::x:/home/alice", $"bob:{YescryptCorrectHorse}:::x:/home/bob");
        Assert.That(Login(db, "bob", "correct horse"), Is.Not.Null);

        Write($"carol:{Sha256Secret}:::x:/home/alice");
        Assert.That(db.Lookup("alice"), Is.Null);
        Assert.That(db.Lookup("carol"), Is.Not.Null);
    }

    [Test]
    public void NoticesASameSizeEditWithARestoredMtime()
    {
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        DateTime mtime = File.GetLastWriteTimeUtc(_path);
        var db = Open();
        Assert.That(db.Lookup("alice"), Is.Not.Null);

        // Same length, same mtime: only the ctime (or inode) tells the edit apart.
        Write($"alica:{Sha256Secret}:::x:/home/alice");
        File.SetLastWriteTimeUtc(_path, mtime);
        Assert.That(db.Lookup("alica"), Is.Not.Null);
        Assert.That(db.Lookup("alice"), Is.Null);
    }

    [Test]
    public void DoesNotReReadAnUnchangedFile()
    {
        Write($"alice:{Sha256Secret}:::x:/home/alice", "broken line");
        var db = Open();
        for (int i = 0; i < 5; i++)
        {
            Assert.That(db.Lookup("alice"), Is.Not.Null);
        }
        Assert.That(_warnings, Has.Count.EqualTo(1), "an unchanged file is parsed (and warned about) once");
    }

    [Test]
    public void AnUnreadableFileMeansNoUsers()
    {
        if (Environment.UserName == "root")
        {
            Assert.Ignore("root can read any file");
        }
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        Assert.That(Mono.Unix.Native.Syscall.chmod(_path, 0), Is.Zero);
        var db = Open();
        Assert.That(db.Lookup("alice"), Is.Null);
        Assert.That(_warnings, Has.Count.EqualTo(1));
    }

    [Test]
    public void ConcurrentUseDuringRewritesNeverThrows()
    {
        Write($"alice:{Sha256Secret}:::x:/home/alice");
        var db = Open();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = db.Lookup("alice");
            }
        })).ToArray();
        for (int i = 0; i < 50; i++)
        {
            Write($"alice:{Sha256Secret}:::x:/home/alice{i}");
        }
        stop.Cancel();
        Assert.DoesNotThrowAsync(() => Task.WhenAll(readers));
        Assert.That(db.Lookup("alice")?.Home, Is.EqualTo("/home/alice49"));
    }
}
