using System.Net;
using Imap4d.Auth.Preauth;
using Imap4d.Config;
using NLog;

namespace Imap4d.Tests.Auth.Preauth;

public class ProgramPreauthTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("203.0.113.7"), 50123);
    private static readonly IPEndPoint Server = new(IPAddress.Parse("::ffff:192.0.2.1"), 143);

    [Test]
    public void ExpandsTheFourVariablesInArguments() =>
        Assert.That(ProgramPreauth.CommandLine("/usr/bin/who-is ${client_address} $client_port '${server_address}' \"${server_port}x\" ${other}end", Client, Server),
            Is.EqualTo(new[] { "/usr/bin/who-is", "203.0.113.7", "50123", "${server_address}", "143x", "end" }));

    [Test]
    public void UnknownEndsExpandToNothing() =>
        Assert.That(ProgramPreauth.CommandLine("/p ${client_address} ${server_port}", null, null), Is.EqualTo(new[] { "/p", "", "" }));

    private static string? Run(string script, TimeSpan? timeout = null)
    {
        var settings = new PreauthSettings
        {
            Mode = PreauthMode.Program,
            Program = $"/bin/sh -c '{script}' sh ${{client_address}} ${{client_port}} ${{server_address}} ${{server_port}}",
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        return new ProgramPreauth(settings, LogManager.CreateNullLogger()).GetUserAsync(Client, Server, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Test]
    public void FirstLineOfOutputIsTheUser() => Assert.That(Run("echo \"u-$1-$2-$3-$4\"; echo second"), Is.EqualTo("u-203.0.113.7-50123-192.0.2.1-143"));

    [TestCase("echo alice; exit 1")]
    [TestCase("exit 0")]
    [TestCase("echo")]
    [TestCase("kill -9 $$")]
    public void FailureOrNoOutputIsNoUser(string script) => Assert.That(Run(script), Is.Null);

    [Test]
    public void ASlowProgramIsKilled()
    {
        var started = DateTime.UtcNow;
        Assert.That(Run("sleep 30; echo late", TimeSpan.FromMilliseconds(300)), Is.Null);
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void HugeOutputIsBounded() => Assert.That(Run("head -c 10000000 /dev/zero | tr \"\\\\0\" x"), Has.Length.EqualTo(4096));

    [Test]
    public void MissingProgramIsNoUser()
    {
        var settings = new PreauthSettings { Mode = PreauthMode.Program, Program = "/nonexistent/preauth-helper" };
        Assert.That(new ProgramPreauth(settings, LogManager.CreateNullLogger()).GetUserAsync(Client, Server, CancellationToken.None).AsTask().Result, Is.Null);
    }
}
