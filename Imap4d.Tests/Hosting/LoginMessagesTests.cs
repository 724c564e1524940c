using System.Net;
using Imap4d.Auth;
using Imap4d.Hosting;
using Imap4d.Session;

namespace Imap4d.Tests.Hosting;

/// <summary>The login process's messages: what is written reads back, and nothing malformed gets through.</summary>
public class LoginMessagesTests
{
    private static LoginHandoff Handoff(byte[]? pending = null) => new(
        "a1", "LOGIN", true,
        new ConnectionInfo(new IPEndPoint(IPAddress.Loopback, 143), new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5555))
        {
            ProxyEndPoint = new IPEndPoint(IPAddress.Parse("10.0.0.1"), 4000),
        },
        ["UTF8=ACCEPT"],
        [new("name", "client"), new("version", null)],
        pending ?? "b NOOP\r\n"u8.ToArray());

    [Test]
    public void CredentialsReadBackAsWritten()
    {
        byte[] message = LoginMessages.EncodeCredentials(new CredentialsRequest(7, "PLAIN", "user", "pässword", "admin", Handoff()));
        Assert.That(message[0], Is.EqualTo(LoginMessages.Credentials));
        var request = LoginMessages.DecodeCredentials(message.AsSpan(1));
        Assert.That((request.Id, request.Mechanism, request.LoginName, request.Password, request.AuthorizationIdentity),
            Is.EqualTo((7, "PLAIN", "user", "pässword", "admin")));
        var handoff = request.Handoff;
        Assert.That((handoff.Tag, handoff.CommandName, handoff.Tls), Is.EqualTo(("a1", "LOGIN", true)));
        Assert.That(handoff.Connection.ClientText, Is.EqualTo("192.0.2.7:5555"));
        Assert.That(handoff.Connection.ProxyEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 4000)));
        Assert.That(handoff.Enabled, Is.EqualTo(new[] { "UTF8=ACCEPT" }));
        Assert.That(handoff.ClientId, Is.EqualTo(new KeyValuePair<string, string?>[] { new("name", "client"), new("version", null) }));
        Assert.That(handoff.PendingInput, Is.EqualTo("b NOOP\r\n"u8.ToArray()));
    }

    [Test]
    public void EveryTruncationAndEveryFlippedByteIsRefusedOrReadSafely()
    {
        byte[] message = LoginMessages.EncodeCredentials(new CredentialsRequest(1, "LOGIN", "u", "p", null, Handoff()));
        for (int length = 1; length < message.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeCredentials(message.AsSpan(1, length - 1)), $"cut at {length}");
        }

        for (int i = 1; i < message.Length; i++)
        {
            foreach (byte value in new byte[] { 0x00, 0x7f, 0xff })
            {
                byte[] changed = (byte[])message.Clone();
                changed[i] = value;
                try
                {
                    LoginMessages.DecodeCredentials(changed.AsSpan(1));
                }
                catch (InvalidDataException)
                {
                }
            }
        }
    }

    [Test]
    public void OversizedFieldsAndUnknownValuesAreRefused()
    {
        Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeCredentials(
            LoginMessages.EncodeCredentials(new CredentialsRequest(1, "LOGIN", "u", "p", null, Handoff(new byte[LoginHandoff.MaxPendingInput + 1]))).AsSpan(1)));
        Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeCredentials(
            LoginMessages.EncodeCredentials(new CredentialsRequest(1, "GSSAPI", "u", "p", null, Handoff())).AsSpan(1)));
        Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeCredentials(
            LoginMessages.EncodeCredentials(new CredentialsRequest(1, "LOGIN", new string('u', 5000), "p", null, Handoff())).AsSpan(1)));
        Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeCredentials(
            LoginMessages.EncodeCredentials(new CredentialsRequest(1, "LOGIN", "u", "p", null, Handoff() with { CommandName = "SELECT" })).AsSpan(1)));
        Assert.Throws<InvalidDataException>(() => LoginMessages.DecodeReply(new byte[] { 1, 0, 0, 0, 99, 0xff, 0xff, 0xff, 0xff }));
    }

    [Test]
    public void APostLoginHandoffReadsBackWithTheAccount()
    {
        var login = new PostLoginHandoff(new UserInfo("user", "/home/user", 1000, 100, "system"), "PLAIN", Handoff());
        var read = PostLoginHandoff.Decode(login.Encode());
        Assert.That(read.User, Is.EqualTo(login.User));
        Assert.That(read.How, Is.EqualTo("PLAIN"));
        Assert.That(read.State.PendingInput, Is.EqualTo(login.State.PendingInput));
        var virtualUser = new PostLoginHandoff(new UserInfo("v", "/srv/v"), "LOGIN", Handoff());
        Assert.That(PostLoginHandoff.Decode(virtualUser.Encode()).User, Is.EqualTo(virtualUser.User));
    }
}
