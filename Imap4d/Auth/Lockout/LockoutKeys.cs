using System.Net;
using System.Net.Sockets;

namespace Imap4d.Auth.Lockout;

/// <summary>What failures are counted against: a client address, a user name, or the pair of both.</summary>
public static class LockoutKeys
{
    /// <summary>
    /// The key of a client address. IPv6 clients are counted per /64, the block one host
    /// usually owns, so that hopping between its addresses does not escape the count.
    /// </summary>
    public static string ForAddress(IPAddress? address)
    {
        if (address is null)
        {
            return "address:local"; // pipes, terminals, Unix sockets: all on this machine
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            byte[] bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return "address:" + new IPAddress(bytes) + "/64";
        }

        return "address:" + address;
    }

    /// <summary>The key of a user name; case is ignored so that "Joe" and "joe" share one count.</summary>
    public static string ForUser(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "user:" + name.ToLowerInvariant();
    }

    /// <summary>The key of one user name from one client address.</summary>
    public static string ForPair(IPAddress? address, string name) => ForAddress(address) + " " + ForUser(name);
}
