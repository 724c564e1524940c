using System.Net;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// What a connection carries from the login process to the process that serves it after
/// login, besides its descriptor: the LOGIN or AUTHENTICATE command's tag and name (the
/// session process writes the tagged OK), whether it is TLS (the login process keeps the TLS
/// session and relays plain text), the real endpoints for its logs, what the client said in
/// ID and turned on with ENABLE, and the bytes the client had already sent after the login
/// command (pipelining), which the session reads before anything from the descriptor.
/// </summary>
public sealed record LoginHandoff(
    string Tag,
    string CommandName,
    bool Tls,
    ConnectionInfo Connection,
    IReadOnlyList<string> Enabled,
    IReadOnlyList<KeyValuePair<string, string?>>? ClientId,
    byte[] PendingInput)
{
    /// <summary>The most pipelined input handed over; a login command followed by more is refused.</summary>
    public const int MaxPendingInput = 64 * 1024;

    private const int MaxText = 1024;
    private const int MaxItems = 64;

    public void Write(WireWriter writer)
    {
        writer.String(Tag).String(CommandName).Bool(Tls);
        writer.String(Describe(Connection.LocalEndPoint)).String(Describe(Connection.RemoteEndPoint))
            .String(Describe(Connection.ProxyEndPoint)).String(Describe(Connection.ProxiedLocalEndPoint));
        writer.Int(Enabled.Count);
        foreach (string name in Enabled)
        {
            writer.String(name);
        }

        writer.Int(ClientId?.Count ?? -1);
        foreach (var (key, value) in ClientId ?? [])
        {
            writer.String(key).String(value);
        }

        writer.Bytes(PendingInput);
    }

    public static LoginHandoff Read(ref WireReader reader)
    {
        string tag = reader.RequiredString(MaxText);
        string command = reader.RequiredString(32);
        if (tag.Length == 0 || command is not ("LOGIN" or "AUTHENTICATE"))
        {
            throw new InvalidDataException("bad tag or command");
        }

        bool tls = reader.Bool();
        var local = Parse(reader.String(128));
        var remote = Parse(reader.String(128));
        var proxy = Parse(reader.String(128));
        var proxiedLocal = Parse(reader.String(128));
        var connection = new ConnectionInfo(local, remote) { ProxyEndPoint = proxy, ProxiedLocalEndPoint = proxiedLocal };
        int count = Count(reader.Int());
        var enabled = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            enabled.Add(reader.RequiredString(MaxText));
        }

        int idCount = reader.Int();
        List<KeyValuePair<string, string?>>? id = null;
        if (idCount != -1)
        {
            idCount = Count(idCount);
            id = new List<KeyValuePair<string, string?>>(idCount);
            for (int i = 0; i < idCount; i++)
            {
                id.Add(new(reader.RequiredString(MaxText), reader.String(MaxText)));
            }
        }

        byte[] pending = reader.Bytes(MaxPendingInput);
        return new LoginHandoff(tag, command, tls, connection, enabled, id, pending);
    }

    private static int Count(int count) =>
        count is >= 0 and <= MaxItems ? count : throw new InvalidDataException("too many items");

    private static string? Describe(EndPoint? endPoint) => endPoint is IPEndPoint ip ? ip.ToString() : null;

    private static IPEndPoint? Parse(string? text) =>
        text is null ? null : IPEndPoint.TryParse(text, out var ip) ? ip : throw new InvalidDataException("bad endpoint");
}
