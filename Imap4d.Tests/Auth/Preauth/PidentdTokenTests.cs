using System.Buffers.Binary;
using System.Security.Cryptography;
using Imap4d.Auth.Preauth;

namespace Imap4d.Tests.Auth.Preauth;

public class PidentdTokenTests
{
    /// <summary>
    /// A token as pidentd builds one (pdes.c): fields, checksum = XOR of the other five 32-bit
    /// words, DES-CBC with a zero IV under des_string_to_key of the 1024-byte key text, base64 in brackets.
    /// </summary>
    internal static string Encrypt(byte[] keyText, ushort uid, Random random)
    {
        var plain = new byte[PidentdToken.Length];
        random.NextBytes(plain.AsSpan(4, 2));                                    // random
        BinaryPrimitives.WriteUInt16BigEndian(plain.AsSpan(6), uid);             // uid
        BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(8), 1_700_000_000);   // date
        new byte[] { 192, 0, 2, 7 }.CopyTo(plain, 12);                           // local address
        new byte[] { 192, 0, 2, 1 }.CopyTo(plain, 16);                           // remote address
        BinaryPrimitives.WriteUInt16BigEndian(plain.AsSpan(20), 50000);
        BinaryPrimitives.WriteUInt16BigEndian(plain.AsSpan(22), 143);
        for (int word = 1; word < 6; word++)
        {
            for (int j = 0; j < 4; j++)
            {
                plain[j] ^= plain[4 * word + j];
            }
        }

        using var des = DES.Create();
        des.Key = PidentdToken.StringToKey(keyText);
        return "[" + Convert.ToBase64String(des.EncryptCbc(plain, new byte[8], PaddingMode.None)) + "]";
    }

    internal static byte[] KeyText(Random random)
    {
        var text = new byte[PidentdToken.KeyTextLength];
        random.NextBytes(text);
        return text;
    }

    [Test]
    public void DecryptsWithTheMatchingKeyOfSeveral()
    {
        var random = TestContext.CurrentContext.Random;
        var keys = Enumerable.Range(0, 3).Select(_ => KeyText(random)).ToList();
        string token = Encrypt(keys[2], 1234, random);
        Assert.That(token, Has.Length.EqualTo(34), "24 bytes are 32 base64 characters");
        Assert.That(PidentdToken.DecryptUid(token, keys, out var error), Is.EqualTo(1234u), error);
        Assert.That(PidentdToken.DecryptUid(token, keys.Take(2), out error), Is.Null);
        Assert.That(error, Is.EqualTo("failed to decrypt IDENT reply"));
    }

    [Test]
    public void KeyFileIsReadIn1024ByteKeys()
    {
        var random = TestContext.CurrentContext.Random;
        string file = Path.GetTempFileName();
        try
        {
            var first = KeyText(random);
            var second = KeyText(random);
            File.WriteAllBytes(file, [.. first, .. second, .. new byte[100]]);
            var keys = PidentdToken.ReadKeys(file);
            Assert.That(keys, Has.Count.EqualTo(2), "a partial trailing key is ignored, as mailutils' read loop does");
            Assert.That(PidentdToken.DecryptUid(Encrypt(second, 65534, random), keys, out _), Is.EqualTo(65534u));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("[not base64!]", "encrypted ident reply is not base64")]
    [TestCase("[AAAA]", "incorrect length of IDENT DES packet")]
    public void RefusesMalformedTokens(string token, string expected)
    {
        Assert.That(PidentdToken.DecryptUid(token, [new byte[1024]], out var error), Is.Null);
        Assert.That(error, Is.EqualTo(expected));
    }

    /// <summary>des_string_to_key of MIT Kerberos 4: the key has odd parity and depends on every byte.</summary>
    [Test]
    public void StringToKeyGivesOddParityAndDependsOnTheText()
    {
        var random = TestContext.CurrentContext.Random;
        var text = KeyText(random);
        var key = PidentdToken.StringToKey(text);
        Assert.That(key.All(b => System.Numerics.BitOperations.PopCount(b) % 2 == 1), Is.True);
        text[1023] ^= 0x01;
        Assert.That(PidentdToken.StringToKey(text), Is.Not.EqualTo(key));
        Assert.That(PidentdToken.StringToKey(text), Is.EqualTo(PidentdToken.StringToKey(text)));
    }

    [Test]
    public void ChecksumIsTheXorOfTheOtherWords()
    {
        var plain = new byte[24];
        plain[5] = 7;
        Assert.That(PidentdToken.ChecksumHolds(plain), Is.False);
        plain[1] = 7;
        Assert.That(PidentdToken.ChecksumHolds(plain), Is.True);
    }
}
