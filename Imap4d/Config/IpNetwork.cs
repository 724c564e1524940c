using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Imap4d.Config;

/// <summary>
/// An IPv4 or IPv6 network as mailutils' CIDR arguments write it: `any` (or `all`), an address,
/// `ADDR/LEN`, or for IPv4 `ADDR/NETMASK`. An IPv4 network also matches the IPv4-mapped IPv6
/// form of its addresses (a dual-stack listener reports them so).
/// </summary>
public sealed record IpNetwork
{
    private readonly byte[] _address;

    private IpNetwork(byte[] address, int prefixLength)
    {
        _address = address;
        PrefixLength = prefixLength;
    }

    /// <summary>Every address of both families.</summary>
    public static IpNetwork Any { get; } = new([], 0);

    public bool IsAny => _address.Length == 0;

    /// <summary>The network's significant leading bits.</summary>
    public int PrefixLength { get; }

    /// <summary>Whether <paramref name="address"/> lies in this network.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IsAny)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6 && _address.Length == 4)
        {
            address = address.MapToIPv4();
        }

        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != _address.Length)
        {
            return false;
        }

        int full = PrefixLength / 8;
        for (int i = 0; i < full; i++)
        {
            if (bytes[i] != _address[i])
            {
                return false;
            }
        }

        int rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[full] & mask) == (_address[full] & mask);
    }

    /// <summary>Parses one network; false (with a reason) for anything else, host names included.</summary>
    public static bool TryParse(string text, out IpNetwork network, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        network = Any;
        error = "";
        if (text is "any" or "all")
        {
            return true;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = (slash < 0 ? text : text[..slash]).Trim('[', ']');
        if (!TryParseAddress(addressText, out var address))
        {
            error = $"\"{text}\" is not an IP address or network (host names are not supported)";
            return false;
        }

        byte[] bytes = address.GetAddressBytes();
        int bits = bytes.Length * 8;
        int length = bits;
        if (slash >= 0)
        {
            string suffix = text[(slash + 1)..];
            if (!TryParseLength(suffix, bits, out length) && !TryParseNetmask(suffix, bytes.Length, out length))
            {
                error = $"\"{text}\" has an invalid prefix length or netmask";
                return false;
            }
        }

        network = new IpNetwork(bytes, length);
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, throwing <see cref="FormatException"/>.</summary>
    public static IpNetwork Parse(string text) =>
        TryParse(text, out var network, out var error) ? network : throw new FormatException(error);

    public bool Equals(IpNetwork? other) =>
        other is not null && PrefixLength == other.PrefixLength && _address.AsSpan().SequenceEqual(other._address);

    public override int GetHashCode() => HashCode.Combine(PrefixLength, _address.Length, IsAny ? 0 : _address[0]);

    /// <summary>`any`, `ADDR` for a single host, else `ADDR/LEN`.</summary>
    public override string ToString()
    {
        if (IsAny)
        {
            return "any";
        }

        string address = new IPAddress(_address).ToString();
        return PrefixLength == _address.Length * 8 ? address : $"{address}/{PrefixLength}";
    }

    /// <summary>Strict: dotted quads for IPv4 (no `127.1` or hex forms), RFC 4291 text for IPv6, no scope.</summary>
    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork
            && (text.Count(c => c == '.') != 3 || !text.All(c => c == '.' || char.IsAsciiDigit(c))))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    private static bool TryParseLength(string text, int bits, out int length) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) && text.Length <= 3 && length <= bits;

    /// <summary>A netmask of contiguous leading ones, in the address's own family.</summary>
    private static bool TryParseNetmask(string text, int size, out int length)
    {
        length = 0;
        if (!TryParseAddress(text, out var mask) || mask.GetAddressBytes() is not { } bytes || bytes.Length != size)
        {
            return false;
        }

        bool zeros = false;
        foreach (byte b in bytes)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                bool one = (b >> bit & 1) == 1;
                if (one && zeros)
                {
                    return false;
                }

                zeros |= !one;
                length += one ? 1 : 0;
            }
        }

        return true;
    }
}
