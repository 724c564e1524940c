namespace Imap4d.Hosting;

/// <summary>
/// The messages of cross-user URLFETCH (RFC 4467), one sequenced packet each. A user process
/// asks the daemon (<see cref="SessionRequest"/>: an id and the URL, nothing about who asks:
/// the daemon knows which user the process serves); the daemon asks a worker that has become
/// the URL's owner (<see cref="WorkerRequest"/>: the requesting user and the URL, on the
/// delivery worker's channel); the answers carry a status and, when found, the message in a
/// memory file attached as a descriptor.
/// </summary>
public static class OwnerUrlMessages
{
    public const byte SessionRequest = 11;
    public const byte SessionReply = 12;
    public const byte WorkerRequest = 13;
    public const byte WorkerReply = 14;

    /// <summary>Longest URL asked for; longer ones are not valid here (they fetch NIL without asking).</summary>
    public const int MaxUrl = 4096;

    /// <summary>Room for any of these packets.</summary>
    public const int MaxPacket = MaxUrl + 512;

    private const int MaxName = 512;

    public static byte[] EncodeSessionRequest(int id, string url) =>
        new WireWriter().Byte(SessionRequest).Int(id).String(url).Written.ToArray();

    public static (int Id, string Url) DecodeSessionRequest(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        Expect(ref reader, SessionRequest);
        int id = reader.Int();
        string url = reader.RequiredString(MaxUrl);
        reader.ExpectEnd();
        return (id, url);
    }

    public static byte[] EncodeSessionReply(int id, OwnerUrlStatus status) =>
        new WireWriter().Byte(SessionReply).Int(id).Byte((byte)status).Written.ToArray();

    public static (int Id, OwnerUrlStatus Status) DecodeSessionReply(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        Expect(ref reader, SessionReply);
        int id = reader.Int();
        var status = Status(reader.Byte());
        reader.ExpectEnd();
        return (id, status);
    }

    public static byte[] EncodeWorkerRequest(string requester, string url) =>
        new WireWriter().Byte(WorkerRequest).String(requester).String(url).Written.ToArray();

    public static (string Requester, string Url) DecodeWorkerRequest(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        Expect(ref reader, WorkerRequest);
        string requester = reader.RequiredString(MaxName);
        string url = reader.RequiredString(MaxUrl);
        reader.ExpectEnd();
        return (requester, url);
    }

    public static byte[] EncodeWorkerReply(OwnerUrlStatus status) => [WorkerReply, (byte)status];

    public static OwnerUrlStatus DecodeWorkerReply(ReadOnlySpan<byte> packet)
    {
        var reader = new WireReader(packet);
        Expect(ref reader, WorkerReply);
        var status = Status(reader.Byte());
        reader.ExpectEnd();
        return status;
    }

    private static void Expect(ref WireReader reader, byte kind)
    {
        if (reader.Byte() != kind)
        {
            throw new InvalidDataException("unexpected URL message");
        }
    }

    private static OwnerUrlStatus Status(byte value) => value is >= 1 and <= 3
        ? (OwnerUrlStatus)value
        : throw new InvalidDataException("unknown URL status");
}

/// <summary>The outcome of resolving a URL as its owner.</summary>
public enum OwnerUrlStatus : byte
{
    /// <summary>Authorized and found: the message comes as a descriptor.</summary>
    Found = 1,

    /// <summary>Not valid, not authorized for the requester, or names nothing: NIL.</summary>
    NotFound = 2,

    /// <summary>The owner's side could not answer (no worker, too slow, gone).</summary>
    Failed = 3,
}
