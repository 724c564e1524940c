using System.Text;
using System.Text.Unicode;

namespace Imap4d.Auth;

/// <summary>
/// The PLAIN SASL mechanism (RFC 4616): <c>[authzid] NUL authcid NUL passwd</c>, already
/// base64-decoded. Pure and allocation-light; never throws on client input.
/// </summary>
public static class SaslPlain
{
    /// <summary>Longest identity or password accepted, in Unicode characters.</summary>
    public const int MaxFieldLength = 255;

    /// <summary>
    /// Splits a PLAIN message. False (with all outputs empty) unless it has exactly two NULs,
    /// a non-empty authcid and password, valid UTF-8 and no field longer than
    /// <see cref="MaxFieldLength"/> characters. An empty authzid means "act as authcid".
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, out string authzid, out string authcid, out string password)
    {
        authzid = authcid = password = string.Empty;

        int first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }
        ReadOnlySpan<byte> rest = message[(first + 1)..];
        int second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }
        ReadOnlySpan<byte> authzidBytes = message[..first];
        ReadOnlySpan<byte> authcidBytes = rest[..second];
        ReadOnlySpan<byte> passwordBytes = rest[(second + 1)..];
        if (passwordBytes.IndexOf((byte)0) >= 0 || authcidBytes.IsEmpty || passwordBytes.IsEmpty)
        {
            return false;
        }
        if (!TryDecodeField(authzidBytes, out string decodedAuthzid)
            || !TryDecodeField(authcidBytes, out string decodedAuthcid)
            || !TryDecodeField(passwordBytes, out string decodedPassword))
        {
            return false;
        }
        authzid = decodedAuthzid;
        authcid = decodedAuthcid;
        password = decodedPassword;
        return true;
    }

    /// <summary>
    /// Decodes one field as strict UTF-8 of at most <see cref="MaxFieldLength"/> characters.
    /// Shared with <see cref="SaslLogin"/>. Does not look for NULs; callers do.
    /// </summary>
    internal static bool TryDecodeField(ReadOnlySpan<byte> field, out string value)
    {
        value = string.Empty;
        // Cheap upper bound first: a character is at most 4 UTF-8 bytes.
        if (field.Length > MaxFieldLength * 4 || !Utf8.IsValid(field))
        {
            return false;
        }
        string decoded = Encoding.UTF8.GetString(field);
        if (CountCharacters(decoded) > MaxFieldLength)
        {
            return false;
        }
        value = decoded;
        return true;
    }

    private static int CountCharacters(string text)
    {
        int count = 0;
        foreach (Rune _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
