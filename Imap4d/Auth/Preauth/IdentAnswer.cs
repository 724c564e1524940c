namespace Imap4d.Auth.Preauth;

/// <summary>
/// An RFC 1413 reply line, `PORTS : USERID : OPSYS : USER` or `PORTS : ERROR : WHY`, read
/// as mailutils does (imap4d/preauth.c ident_extract_username), plus a check that the ports
/// are those asked about. <see cref="User"/> is set on success, else <see cref="Error"/>.
/// </summary>
public sealed record IdentAnswer(string? User, string? Error)
{
    /// <summary>Longest reply line RFC 1413 allows (§6: 1000 characters).</summary>
    public const int MaxLength = 1000;

    /// <summary>Whether the user is a pidentd DES token, `[base64]`.</summary>
    public bool IsEncrypted => User is { Length: > 2 } u && u[0] == '[' && u[^1] == ']';

    public static IdentAnswer Parse(string line, int clientPort, int serverPort)
    {
        ArgumentNullException.ThrowIfNull(line);
        line = line.TrimEnd('\r', '\n');
        var fields = line.Split(':', 3);
        if (fields.Length < 3)
        {
            return Fail("malformed ident reply");
        }

        var ports = fields[0].Split(',');
        if (ports.Length != 2 || ports[0].Trim() != clientPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            || ports[1].Trim() != serverPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return Fail("ident reply is about other ports");
        }

        string type = fields[1].Trim();
        if (type == "ERROR")
        {
            return Fail("ident error: " + fields[2].Trim());
        }

        int colon = fields[2].IndexOf(':', StringComparison.Ordinal);
        if (type != "USERID" || colon < 0)
        {
            return Fail("malformed ident reply");
        }

        string user = fields[2][(colon + 1)..].Trim(' ', '\t');
        if (user.Length == 0 || user.Any(char.IsControl))
        {
            return Fail("ident reply without a usable user name");
        }

        return new IdentAnswer(user, null);
    }

    private static IdentAnswer Fail(string error) => new(null, error);
}
