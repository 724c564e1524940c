using System.Text;

namespace Imap4d.Auth;

/// <summary>
/// The (obsolete but widely used) LOGIN SASL mechanism: the server prompts "Username:" and
/// "Password:" and the client answers each with one base64 string. The session does the
/// base64; these helpers give the prompts and check the decoded answers.
/// </summary>
public static class SaslLogin
{
    /// <summary>base64("Username:"), the first server challenge.</summary>
    public const string UsernamePrompt = "VXNlcm5hbWU6";

    /// <summary>base64("Password:"), the second server challenge.</summary>
    public const string PasswordPrompt = "UGFzc3dvcmQ6";

    /// <summary>
    /// Checks a decoded user name answer: non-empty, valid UTF-8, no NUL, at most
    /// <see cref="SaslPlain.MaxFieldLength"/> characters.
    /// </summary>
    public static bool TryDecodeUsername(ReadOnlySpan<byte> response, out string user) =>
        TryDecode(response, allowEmpty: false, out user);

    /// <summary>
    /// Checks a decoded password answer. Empty is accepted here (some clients send it); the
    /// password check then refuses it.
    /// </summary>
    public static bool TryDecodePassword(ReadOnlySpan<byte> response, out string password) =>
        TryDecode(response, allowEmpty: true, out password);

    private static bool TryDecode(ReadOnlySpan<byte> response, bool allowEmpty, out string value)
    {
        value = string.Empty;
        if ((response.IsEmpty && !allowEmpty) || response.IndexOf((byte)0) >= 0)
        {
            return false;
        }
        return SaslPlain.TryDecodeField(response, out value);
    }

    /// <summary>The prompt text behind <see cref="UsernamePrompt"/>, for logs and tests.</summary>
    public static string UsernamePromptText => Encoding.ASCII.GetString(Convert.FromBase64String(UsernamePrompt));

    /// <summary>The prompt text behind <see cref="PasswordPrompt"/>, for logs and tests.</summary>
    public static string PasswordPromptText => Encoding.ASCII.GetString(Convert.FromBase64String(PasswordPrompt));
}
