using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Imap4d.Auth.Preauth;

/// <summary>
/// pidentd's encrypted replies, `[BASE64]`: 24 bytes — a 32-bit checksum (the XOR of the five
/// other 32-bit words), random, the uid (16 bits, network order), date, both addresses and
/// ports — in DES-CBC with a zero IV under a key derived from 1024 bytes of the key file
/// (MIT des_string_to_key). Decryption tries every key; the checksum says which one fits.
/// Layout as mailutils imap4d/preauth.c ident_decrypt reads it, on 32-bit words.
/// </summary>
public static class PidentdToken
{
    /// <summary>Bytes of key file per key.</summary>
    public const int KeyTextLength = 1024;

    /// <summary>Decrypted size.</summary>
    public const int Length = 24;

    /// <summary>The keys of a pidentd key file: each complete 1024-byte chunk.</summary>
    public static IReadOnlyList<byte[]> ReadKeys(string file)
    {
        var bytes = File.ReadAllBytes(file);
        return Enumerable.Range(0, bytes.Length / KeyTextLength).Select(i => bytes.AsSpan(i * KeyTextLength, KeyTextLength).ToArray()).ToList();
    }

    /// <summary>The uid in <paramref name="token"/> (`[...]` included), or null when no key decrypts it.</summary>
    public static uint? DecryptUid(string token, IEnumerable<byte[]> keyTexts, out string? error)
    {
        ArgumentNullException.ThrowIfNull(token);
        error = null;
        byte[] cipher;
        try
        {
            cipher = Convert.FromBase64String(token.Trim('[', ']'));
        }
        catch (FormatException)
        {
            error = "encrypted ident reply is not base64";
            return null;
        }

        if (cipher.Length != Length)
        {
            error = "incorrect length of IDENT DES packet";
            return null;
        }

        foreach (var keyText in keyTexts)
        {
            byte[]? plain = Decrypt(cipher, StringToKey(keyText));
            if (plain is not null && ChecksumHolds(plain))
            {
                return BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(6, 2));
            }
        }

        error = "failed to decrypt IDENT reply";
        return null;
    }

    /// <summary>Whether the first 32-bit word equals the XOR of the other five (byte order does not matter for XOR).</summary>
    public static bool ChecksumHolds(ReadOnlySpan<byte> plain)
    {
        for (int j = 0; j < 4; j++)
        {
            int x = 0;
            for (int word = 0; word < 6; word++)
            {
                x ^= plain[4 * word + j];
            }

            if (x != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// MIT Kerberos des_string_to_key: fan-fold the low 7 bits of each byte into 56 bits
    /// (direction reversing every 8 bytes), set odd parity, then a DES CBC checksum of the text
    /// under that key with the key as IV, parity again.
    /// </summary>
    public static byte[] StringToKey(ReadOnlySpan<byte> text)
    {
        Span<byte> bits = stackalloc byte[64];
        bits.Clear();
        int position = 0;
        bool forward = true;
        for (int i = 1; i <= text.Length; i++)
        {
            int value = text[i - 1];
            for (int j = 0; j <= 6; j++)
            {
                if (forward)
                {
                    bits[position++] ^= (byte)(value & 1);
                }
                else
                {
                    bits[--position] ^= (byte)(value & 1);
                }

                value >>= 1;
            }

            if (i % 8 == 0)
            {
                forward = !forward;
            }
        }

        var key = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            int value = 0;
            for (int j = 0; j <= 6; j++)
            {
                value |= bits[7 * i + j] << (1 + j);
            }

            key[i] = (byte)value;
        }

        FixParity(key);
        using var des = DES.Create();
        if (!TrySetKey(des, key))
        {
            return key;
        }

        var check = (byte[])key.Clone();
        Span<byte> block = stackalloc byte[8];
        for (int offset = 0; offset < text.Length; offset += 8)
        {
            int n = Math.Min(8, text.Length - offset);
            for (int k = 0; k < n; k++)
            {
                check[k] ^= text[offset + k];
            }

            des.EncryptEcb(check, block, PaddingMode.None);
            block.CopyTo(check);
        }

        FixParity(check);
        return check;
    }

    /// <summary>DES-CBC with a zero IV over the whole 24 bytes; null for a key DES refuses (weak).</summary>
    public static byte[]? Decrypt(byte[] cipher, byte[] key)
    {
        using var des = DES.Create();
        return TrySetKey(des, key) ? des.DecryptCbc(cipher, new byte[8], PaddingMode.None) : null;
    }

    private static bool TrySetKey(DES des, byte[] key)
    {
        try
        {
            des.Key = key;
            return true;
        }
        catch (CryptographicException)
        {
            // A weak or semi-weak key: .NET refuses it; no real key file leads here in practice.
            return false;
        }
    }

    private static void FixParity(byte[] key)
    {
        for (int i = 0; i < key.Length; i++)
        {
            int high = key[i] & 0xfe;
            key[i] = (byte)(high | (System.Numerics.BitOperations.PopCount((uint)high) % 2 == 0 ? 1 : 0));
        }
    }
}
