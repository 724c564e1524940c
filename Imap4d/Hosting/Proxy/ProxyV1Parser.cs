using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Hosting.Proxy;

/// <summary>
/// The human-readable header (proxy-protocol.txt §2.1): `PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n`
/// or `PROXY UNKNOWN ...\r\n`, single spaces, at most 107 bytes with the CRLF.
/// </summary>
public static class ProxyV1Parser
{
    /// <summary>Longest valid line, CRLF included.</summary>
    public const int MaxLength = 107;

    public static ReadOnlySpan<byte> Prefix => "PROXY "u8;

    /// <summary>Parses one complete line (CRLF included); throws <see cref="ProxyHeaderException"/> when malformed.</summary>
    public static ProxyHeader Parse(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLength)
        {
            throw new ProxyHeaderException("PROXY v1 header longer than 107 bytes");
        }

        if (!line.StartsWith(Prefix) || !line.EndsWith("\r\n"u8))
        {
            throw new ProxyHeaderException("PROXY v1 header not of the form \"PROXY ...\\r\\n\"");
        }

        var body = line[Prefix.Length..^2];
        if (body.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            throw new ProxyHeaderException("PROXY v1 header has a line break inside");
        }

        // UNKNOWN: whatever follows up to the CRLF is to be ignored (§2.1).
        if (body.SequenceEqual("UNKNOWN"u8) || body.StartsWith("UNKNOWN "u8))
        {
            return new ProxyHeader(1, ProxyCommand.Local, null, null, line.Length);
        }

        foreach (byte b in body)
        {
            if (b is < 0x21 or > 0x7e && b != (byte)' ')
            {
                throw new ProxyHeaderException("PROXY v1 header has a byte outside printable ASCII");
            }
        }

        var words = Encoding.ASCII.GetString(body).Split(' ');
        if (words.Length != 5)
        {
            throw new ProxyHeaderException("PROXY v1 header needs protocol, two addresses and two ports, single-spaced");
        }

        var family = words[0] switch
        {
            "TCP4" => AddressFamily.InterNetwork,
            "TCP6" => AddressFamily.InterNetworkV6,
            _ => throw new ProxyHeaderException($"PROXY v1 protocol \"{words[0]}\" is not TCP4, TCP6 or UNKNOWN"),
        };
        var source = new IPEndPoint(Address(words[1], family), Port(words[3]));
        var destination = new IPEndPoint(Address(words[2], family), Port(words[4]));
        return new ProxyHeader(1, ProxyCommand.Proxy, source, destination, line.Length);
    }

    /// <summary>Dotted quad for TCP4 (no shorthand or hex), RFC 4291 text without scope for TCP6.</summary>
    private static IPAddress Address(string text, AddressFamily family)
    {
        bool shapeOk = family == AddressFamily.InterNetwork
            ? text.Count(c => c == '.') == 3 && text.All(c => c == '.' || char.IsAsciiDigit(c))
            : text.All(c => c is ':' or '.' || char.IsAsciiHexDigit(c)) && text.Contains(':', StringComparison.Ordinal);
        if (!shapeOk || !IPAddress.TryParse(text, out var address) || address.AddressFamily != family)
        {
            throw new ProxyHeaderException($"PROXY v1 address \"{text}\" is not a valid {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        return address;
    }

    private static int Port(string text)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit)
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ProxyHeaderException($"PROXY v1 port \"{text}\" is not a number from 0 to 65535");
        }

        return port;
    }
}
