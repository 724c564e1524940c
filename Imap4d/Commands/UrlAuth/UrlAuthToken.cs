using System.Security.Cryptography;
using System.Text;

namespace Imap4d.Commands.UrlAuth;

/// <summary>
/// The INTERNAL URLAUTH mechanism (RFC 4467 §7): the verifier of a rump URL is HMAC-SHA1 of the
/// URL's text under the mailbox access key, written as 40 lower-case hexadecimal digits.
/// </summary>
public static class UrlAuthToken
{
    public const string Mechanism = "INTERNAL";

    /// <summary>As the mechanism appears in generated URLs (RFC 4467's examples write it in lower case).</summary>
    public const string MechanismInUrl = "internal";

    public static bool IsInternal(string mechanism) => mechanism.Equals(Mechanism, StringComparison.OrdinalIgnoreCase);

    public static string Compute(byte[] key, string rump) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(rump)));

    /// <summary>True when <paramref name="token"/> is the verifier of <paramref name="rump"/> (compared in constant time).</summary>
    public static bool Verify(byte[] key, string rump, string token)
    {
        if (token.Length != HMACSHA1.HashSizeInBytes * 2 || !token.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(rump)), Convert.FromHexString(token));
    }
}
