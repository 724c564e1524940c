using System.Buffers.Binary;
using System.Security.Cryptography;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// RFC 8474 EMAILID: derived from what a message keeps through COPY and MOVE in every format
/// (its header as the client sees it, RFC822.SIZE and the internal date to the second), so a
/// copy in another mailbox, even of another type, has the same id and no id has to be stored.
/// Two messages with the same header, size and date share one, which RFC 8474 allows for
/// identical content. THREADID is NIL: the server keeps no threads.
/// </summary>
public static class ObjectIds
{
    public static string EmailId(ReadOnlySpan<byte> header, MessageInfo info)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        Span<byte> tail = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(tail, info.Size);
        BinaryPrimitives.WriteInt64BigEndian(tail[8..], info.InternalDate.ToUnixTimeSeconds());
        hash.AppendData(tail);
        return "E" + Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }
}
