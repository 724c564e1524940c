using Imap4d.Auth;

namespace Imap4d.Hosting;

/// <summary>
/// The messages on the login process's channel to the daemon (a sequenced-packet socket pair,
/// one message per packet, see <see cref="LoginProcessHost"/> and <see cref="LoginSupervisor"/>).
/// Daemon to login process: <see cref="Connection"/> with an accepted client socket attached,
/// and <see cref="Reply"/> to a credentials check. Login process to daemon: <see cref="Credentials"/>,
/// with the connection (or, under TLS, the session's end of the plain-text relay) attached: on
/// success the daemon hands it on to a process that becomes the user.
/// </summary>
public static class LoginMessages
{
    public const byte Connection = (byte)'C';
    public const byte Credentials = (byte)'A';
    public const byte Reply = (byte)'R';

    /// <summary>Daemon to login process: take no more connections, finish those held, then exit (SIGHUP).</summary>
    public const byte Retire = (byte)'Q';

    /// <summary>The largest message either side accepts.</summary>
    public const int MaxMessage = LoginHandoff.MaxPendingInput + 16 * 1024;

    private const int MaxName = 1024;
    private const int MaxPassword = 8192;

    public static byte[] EncodeConnection() => [Connection];

    public static byte[] EncodeCredentials(CredentialsRequest request)
    {
        var writer = new WireWriter().Byte(Credentials).Int(request.Id).String(request.Mechanism)
            .String(request.LoginName).String(request.Password).String(request.AuthorizationIdentity);
        request.Handoff.Write(writer);
        return writer.Written.ToArray();
    }

    /// <summary>Decodes a credentials message (after its type byte); throws InvalidDataException when malformed.</summary>
    public static CredentialsRequest DecodeCredentials(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        int id = reader.Int();
        string mechanism = reader.RequiredString(32);
        if (mechanism is not ("LOGIN" or "PLAIN"))
        {
            throw new InvalidDataException("unknown mechanism");
        }

        string name = reader.RequiredString(MaxName);
        string password = reader.RequiredString(MaxPassword);
        string? authzid = reader.String(MaxName);
        var handoff = LoginHandoff.Read(ref reader);
        reader.ExpectEnd();
        return new CredentialsRequest(id, mechanism, name, password, authzid, handoff);
    }

    public static byte[] EncodeReply(int id, LoginVerdict verdict, string? text = null) =>
        new WireWriter().Byte(Reply).Int(id).Byte((byte)verdict).String(text).Written.ToArray();

    public static (int Id, LoginVerdict Verdict, string? Text) DecodeReply(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body);
        int id = reader.Int();
        byte verdict = reader.Byte();
        string? text = reader.String(MaxName);
        reader.ExpectEnd();
        if (verdict > (byte)LoginVerdict.Busy)
        {
            throw new InvalidDataException("unknown verdict");
        }

        return (id, (LoginVerdict)verdict, text);
    }
}

/// <summary>One LOGIN or AUTHENTICATE attempt, as the login process forwards it.</summary>
public sealed record CredentialsRequest(
    int Id, string Mechanism, string LoginName, string Password, string? AuthorizationIdentity, LoginHandoff Handoff);

/// <summary>The daemon's answer to a <see cref="CredentialsRequest"/>.</summary>
public enum LoginVerdict : byte
{
    /// <summary>Authenticated; the connection now belongs to a process running as the user, which answers the client.</summary>
    HandedOff,

    /// <summary>Wrong password, unknown user, denied (the client learns no more than that).</summary>
    Refused,

    /// <summary>Too many failures: the lockout refused the attempt without checking the password.</summary>
    Blocked,

    /// <summary>The authentication service failed.</summary>
    Unavailable,

    /// <summary>Authenticated but not served; the reply's text says why (for the NO).</summary>
    Denied,

    /// <summary>Authenticated, but max-children sessions run already.</summary>
    Busy,
}

/// <summary>What the daemon sends a prestarted session process for a connection that logged in.</summary>
public sealed record PostLoginHandoff(UserInfo User, string How, LoginHandoff State)
{
    private const int MaxText = 4096;

    public byte[] Encode()
    {
        var writer = new WireWriter().String(User.Name).String(User.Home)
            .Int(User.Uid is uint uid ? (int)uid : -1).Int(User.Gid is uint gid ? (int)gid : -1)
            .String(User.Source).String(How);
        State.Write(writer);
        return writer.Written.ToArray();
    }

    public static PostLoginHandoff Decode(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        string name = reader.RequiredString(MaxText);
        string home = reader.RequiredString(MaxText);
        int uid = reader.Int();
        int gid = reader.Int();
        string? source = reader.String(MaxText);
        string how = reader.RequiredString(MaxText);
        var state = LoginHandoff.Read(ref reader);
        reader.ExpectEnd();
        var user = new UserInfo(name, home, uid == -1 ? null : (uint)uid, gid == -1 ? null : (uint)gid, source);
        return new PostLoginHandoff(user, how, state);
    }
}
