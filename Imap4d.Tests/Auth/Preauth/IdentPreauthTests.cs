using System.Net;
using Imap4d.Auth.Preauth;
using Imap4d.Config;
using Imap4d.Tests.Support;
using NLog;

namespace Imap4d.Tests.Auth.Preauth;

public class IdentPreauthTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 143);

    private static string? Ask(FakeIdentServer ident, PreauthSettings? settings = null, Func<uint, string?>? names = null, int clientPort = 50000)
    {
        settings = (settings ?? new PreauthSettings()) with { Mode = PreauthMode.Ident, IdentPort = ident.Port, Timeout = TimeSpan.FromSeconds(2) };
        var preauth = new IdentPreauth(settings, LogManager.CreateNullLogger(), names ?? (_ => null));
        return preauth.GetUserAsync(new IPEndPoint(IPAddress.Loopback, clientPort), Server, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Test]
    public void AsksAboutTheConnectionsPortsAndTakesThePlainUser()
    {
        using var ident = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : alice");
        Assert.That(Ask(ident), Is.EqualTo("alice"));
        Assert.That(ident.Queries, Is.EqualTo(new[] { "50000 , 143" }));
    }

    [Test]
    public void ErrorsSilenceAndRefusalsGiveNoUser()
    {
        using var error = new FakeIdentServer((c, s) => $"{c} , {s} : ERROR : NO-USER");
        using var silent = new FakeIdentServer((_, _) => null);
        using var otherPorts = new FakeIdentServer((c, s) => $"{c + 1} , {s} : USERID : UNIX : alice");
        using var plain = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : alice");
        Assert.Multiple(() =>
        {
            Assert.That(Ask(error), Is.Null);
            Assert.That(Ask(silent), Is.Null);
            Assert.That(Ask(otherPorts), Is.Null);
            Assert.That(Ask(plain, new PreauthSettings { IdentEncryptOnly = true }), Is.Null);
        });
    }

    [Test]
    public void NobodyListeningIsNoUser()
    {
        using var ident = new FakeIdentServer((_, _) => null);
        int port = ident.Port;
        ident.Dispose();
        var settings = new PreauthSettings { Mode = PreauthMode.Ident, IdentPort = port, Timeout = TimeSpan.FromSeconds(2) };
        var preauth = new IdentPreauth(settings, LogManager.CreateNullLogger(), _ => null);
        Assert.That(preauth.GetUserAsync(new IPEndPoint(IPAddress.Loopback, 1), Server, CancellationToken.None).AsTask().Result, Is.Null);
    }

    [Test]
    public void EncryptedReplyIsDecryptedToTheUidsName()
    {
        var random = TestContext.CurrentContext.Random;
        var key = PidentdTokenTests.KeyText(random);
        string token = PidentdTokenTests.Encrypt(key, 4321, random);
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [.. PidentdTokenTests.KeyText(random), .. key]);
            using var ident = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : {token}");
            var settings = new PreauthSettings { IdentKeyFile = file, IdentEncryptOnly = true };
            Assert.That(Ask(ident, settings, uid => uid == 4321 ? "bob" : null), Is.EqualTo("bob"));
            Assert.That(Ask(ident, settings, _ => null), Is.Null, "a uid without a user");
            Assert.That(Ask(ident, new PreauthSettings(), uid => "bob"), Is.Null, "no key file");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
