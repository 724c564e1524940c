using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Imap4d.Auth;

/// <summary>
/// Password hashing through the system's libcrypt (libxcrypt on Debian): yescrypt, SHA-512,
/// SHA-256, MD5, bcrypt and whatever else the installed library supports.
/// Thread-safe: every call gets its own <c>struct crypt_data</c>.
/// Passwords and hashes are passed as UTF-8 and are never logged.
/// </summary>
public static unsafe partial class Crypt
{
    private const string LibCrypt = "libcrypt.so.1";

    /// <summary>sizeof(struct crypt_data) in libxcrypt; glibc's old libcrypt used less.</summary>
    private const int CryptDataSize = 32768;

    /// <summary>
    /// libxcrypt's reentrant entry point: returns NULL (instead of a "*0" token) on failure
    /// and takes the buffer size, so a too small buffer cannot be overrun.
    /// </summary>
    [LibraryImport(LibCrypt, EntryPoint = "crypt_rn")]
    private static partial byte* CryptRn(byte* phrase, byte* setting, void* data, int size);

    /// <summary>
    /// True when <paramref name="password"/> hashes to <paramref name="hash"/>. False for a wrong
    /// password and for hashes that lock the account: empty, "*..." or "!..." (locked or no
    /// password), and anything libcrypt cannot parse.
    /// </summary>
    public static bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (IsLocked(hash))
        {
            return false;
        }
        byte[]? computed = HashBytes(password, hash);
        if (computed is null)
        {
            return false;
        }
        byte[] expected = Encoding.UTF8.GetBytes(hash);
        try
        {
            // Constant-time so the comparison leaks nothing about how much of the hash matched.
            return CryptographicOperations.FixedTimeEquals(computed, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(computed);
        }
    }

    /// <summary>
    /// Hashes <paramref name="password"/> with <paramref name="setting"/> (a full hash or a salt
    /// string such as "$6$salt$"). Null when libcrypt refuses the setting or the password
    /// contains NUL.
    /// </summary>
    public static string? Hash(string password, string setting)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(setting);
        byte[]? computed = HashBytes(password, setting);
        return computed is null ? null : Encoding.UTF8.GetString(computed);
    }

    /// <summary>
    /// Whether a stored hash can never match: empty (which crypt(3) users would read as
    /// "no password"), or starting with '*' or '!' (the passwd/shadow lock markers).
    /// </summary>
    public static bool IsLocked(string hash) =>
        hash.Length == 0 || hash[0] == '*' || hash[0] == '!';

    private static byte[]? HashBytes(string password, string setting)
    {
        // A NUL would silently truncate the C string and so the password or the setting.
        if (password.Contains('\0') || setting.Contains('\0'))
        {
            return null;
        }
        byte[] phrase = ToCString(password);
        byte[] settingBytes = ToCString(setting);
        void* data = NativeMemory.AllocZeroed(CryptDataSize);
        try
        {
            fixed (byte* phrasePtr = phrase)
            fixed (byte* settingPtr = settingBytes)
            {
                byte* result = CryptRn(phrasePtr, settingPtr, data, CryptDataSize);
                if (result is null)
                {
                    return null;
                }
                var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result);
                // Failure tokens ("*0", "*1") start with '*', which no valid hash does.
                if (span.Length == 0 || span[0] == (byte)'*')
                {
                    return null;
                }
                return span.ToArray();
            }
        }
        finally
        {
            // The work area holds password-derived state.
            NativeMemory.Clear(data, CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(phrase);
        }
    }

    private static byte[] ToCString(string text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
