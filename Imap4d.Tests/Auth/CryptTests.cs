using System.Diagnostics;
using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class CryptTests
{
    // Vectors made once with libxcrypt's crypt_gensalt + crypt; the tests only need libcrypt.
    private const string YescryptCorrectHorse = "$y$j9T$VrIMSY5D2uLcvEwgrsWC9.$ui.oeRgT8irpeC49qxewRpemVOJP524AMiKXrGDIpS7";
    private const string YescryptUmlauts = "$y$j9T$D0P9aUwZsgecLu5sTJz7n1$GG1KAyhLfHc93ElI7n9whephwvwHCjFKkCncIGsvBL7";
    private const string Sha512CorrectHorse = "$6$HhPW/Q5Ctgkh/9Yh$uA6Iz5.vXvxDOPcDGoApZMEgH1fvxyoOmf/1UTtitL0LiSs1n1pgmPhHXQZNy4a2lDQ4SrvfTl4BBXCQhlolN.";
    private const string Sha512Empty = "$6$k49mSaGqvb8QMG7B$YInEkpIy..s3V6hXafZP7Ve/19PAyG0KYJYZY21vY/WBSss.ZoGHvk1plhTJudc8baMMMKNwmLynriBf6bIN3.";
    private const string Sha256Secret = "$5$acImzfbtGXEET4Pr$E3pt2jWutmuq4Kc5vi4Nmz5Wq7QxKDG3QPYBqmZ2qR1";
    private const string Md5Secret = "$1$4bBgV9pg$2LLpHWjGumEgPTgOFPfP3.";
    private const string BcryptSecret = "$2b$05$OS4efMB7xJDBw9l3498yBufqnYHjnf6IKJPqpUpHg8sMzWbYnQg0u";

    [TestCase(YescryptCorrectHorse, "correct horse")]
    [TestCase(YescryptUmlauts, "pässwörd")]
    [TestCase(Sha512CorrectHorse, "correct horse")]
    [TestCase(Sha256Secret, "s3cret")]
    [TestCase(Md5Secret, "s3cret")]
    [TestCase(BcryptSecret, "s3cret")]
    public void FixedVectorsVerify(string hash, string password)
    {
        Assert.That(Crypt.Verify(password, hash), Is.True);
        Assert.That(Crypt.Verify(password + "x", hash), Is.False);
        Assert.That(Crypt.Verify("", hash), Is.False);
    }

    [Test]
    public void PasswordsAreCaseSensitiveAndUtf8()
    {
        Assert.That(Crypt.Verify("Correct horse", YescryptCorrectHorse), Is.False);
        Assert.That(Crypt.Verify("passwort", YescryptUmlauts), Is.False);
        // Latin-1 bytes of "pässwörd" must not match: the hash was made from UTF-8.
        Assert.That(Crypt.Verify("p\u00c3\u00a4sswörd", YescryptUmlauts), Is.False);
    }

    [Test]
    public void AnEmptyPasswordVerifiesOnlyAgainstItsOwnHash()
    {
        Assert.That(Crypt.Verify("", Sha512Empty), Is.True);
        Assert.That(Crypt.Verify("a", Sha512Empty), Is.False);
    }

    [TestCase("")]
    [TestCase("*")]
    [TestCase("*0")]
    [TestCase("*1")]
    [TestCase("!")]
    [TestCase("!!")]
    [TestCase("!" + Sha512CorrectHorse)]
    [TestCase("*LK*" + Sha512CorrectHorse)]
    public void LockedHashesNeverVerify(string hash)
    {
        Assert.That(Crypt.IsLocked(hash), Is.True);
        Assert.That(Crypt.Verify("correct horse", hash), Is.False);
        Assert.That(Crypt.Verify("", hash), Is.False);
    }

    [TestCase("x")]
    [TestCase("$")]
    [TestCase("$6$")]
    [TestCase("$6$$")]
    [TestCase("$y$")]
    [TestCase("$y$j9T$")]
    [TestCase("$99$salt$hash")]
    [TestCase("$2b$99$OS4efMB7xJDBw9l3498yBufqnYHjnf6IKJPqpUpHg8sMzWbYnQg0u")]
    [TestCase("$1$4bBgV9pg$2LLpHWjGumEgPTgOFPfP3")]
    [TestCase("not a hash at all, with spaces: and colons")]
    [TestCase("\u00e9\u00e9\u00e9")]
    public void GarbageHashesAreRefusedWithoutCrashing(string hash)
    {
        Assert.That(Crypt.Verify("s3cret", hash), Is.False);
        Assert.That(Crypt.Verify("", hash), Is.False);
    }

    [Test]
    public void NulCharactersAreRefusedInsteadOfTruncated()
    {
        Assert.That(Crypt.Verify("correct horse\0trailing", Sha512CorrectHorse), Is.False);
        Assert.That(Crypt.Verify("correct horse", Sha512CorrectHorse + "\0"), Is.False);
        Assert.That(Crypt.Hash("a\0b", "$6$salt$"), Is.Null);
    }

    [Test]
    public void HashRoundTripsThroughVerify()
    {
        string? hash = Crypt.Hash("round trip", "$6$abcdefgh$");
        Assert.That(hash, Does.StartWith("$6$abcdefgh$"));
        Assert.That(Crypt.Verify("round trip", hash!), Is.True);
        Assert.That(Crypt.Hash("round trip", "$nonsense$"), Is.Null);
    }

    [Test]
    public void VerifyIsThreadSafe()
    {
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            bool right = Crypt.Verify("s3cret", i % 2 == 0 ? Sha256Secret : Md5Secret);
            bool wrong = Crypt.Verify("wrong" + i, Sha256Secret);
            if (!right || wrong)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.That(failures, Is.Zero);
    }

    [TestCase("-6")]
    [TestCase("-5")]
    [TestCase("-1")]
    public void HashesFromOpensslVerify(string algorithm)
    {
        const string password = "Tr0ub4dor&3 ünïcode";
        string hash = OpensslPasswd(algorithm, password);
        Assert.That(Crypt.Verify(password, hash), Is.True, hash);
        Assert.That(Crypt.Verify("Tr0ub4dor&3", hash), Is.False);
    }

    private static string OpensslPasswd(string algorithm, string password)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
        };
        start.ArgumentList.Add("passwd");
        start.ArgumentList.Add(algorithm);
        start.ArgumentList.Add("-stdin");
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            process = null;
        }
        if (process is null)
        {
            Assert.Ignore("openssl is not installed");
            throw new InvalidOperationException("unreachable");
        }
        using (process)
        {
            process.StandardInput.Write(password + "\n");
            process.StandardInput.Close();
            string output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Assert.Ignore($"openssl passwd {algorithm} is not supported here");
            }
            return output;
        }
    }
}
