using System.Buffers.Binary;
using System.Net;

namespace Imap4d.Hosting.Proxy;

/// <summary>
/// The binary header (proxy-protocol.txt §2.2): a 12-byte signature, version/command, family/
/// transport, a 16-bit big-endian length, the addresses, then TLVs (skipped).
/// </summary>
public static class ProxyV2Parser
{
    /// <summary>Signature, version/command, family/transport and length.</summary>
    public const int FixedLength = 16;

    public static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>The length of the variable part, from the first <see cref="FixedLength"/> bytes.</summary>
    public static int VariableLength(ReadOnlySpan<byte> fixedPart) => BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..16]);

    /// <summary>Parses a complete header (fixed part and exactly its variable part); throws <see cref="ProxyHeaderException"/>.</summary>
    public static ProxyHeader Parse(ReadOnlySpan<byte> header)
    {
        if (header.Length < FixedLength || !header.StartsWith(Signature))
        {
            throw new ProxyHeaderException("PROXY v2 signature missing");
        }

        int length = VariableLength(header);
        if (header.Length != FixedLength + length)
        {
            throw new ProxyHeaderException("PROXY v2 header length does not match its contents");
        }

        int version = header[12] >> 4;
        int command = header[12] & 0x0f;
        if (version != 2)
        {
            throw new ProxyHeaderException($"PROXY v2 header with version {version}");
        }

        int family = header[13] >> 4;
        int transport = header[13] & 0x0f;
        if (family > 3 || transport > 2)
        {
            throw new ProxyHeaderException($"PROXY v2 address family/transport 0x{header[13]:x2} unknown");
        }

        var addresses = header[FixedLength..];
        switch (command)
        {
            case 0:
                // LOCAL: a health check or the proxy speaking for itself; keep the real peer (§2.2).
                return new ProxyHeader(2, ProxyCommand.Local, null, null, header.Length);
            case 1:
                break;
            default:
                throw new ProxyHeaderException($"PROXY v2 command {command} unknown");
        }

        int size = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
        if (addresses.Length < size)
        {
            throw new ProxyHeaderException("PROXY v2 address block shorter than its family needs");
        }

        if (family is 0 or 3)
        {
            // UNSPEC or a Unix socket on the proxy's side: nothing to put in place of the peer.
            return new ProxyHeader(2, ProxyCommand.Local, null, null, header.Length);
        }

        if (transport != 1)
        {
            throw new ProxyHeaderException("PROXY v2 header for a non-stream transport");
        }

        int addressLength = family == 1 ? 4 : 16;
        var source = new IPAddress(addresses[..addressLength]);
        var destination = new IPAddress(addresses[addressLength..(2 * addressLength)]);
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressLength)..]);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressLength + 2)..]);
        return new ProxyHeader(2, ProxyCommand.Proxy, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), header.Length);
    }
}
