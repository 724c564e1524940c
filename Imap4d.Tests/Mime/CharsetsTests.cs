using System.Text;
using Imap4d.Commands.Search;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

/// <summary>Every charset of <see cref="CharsetSamples"/> decodes exactly, whole and one byte at a time.</summary>
public class CharsetsTests
{
    [TestCaseSource(typeof(CharsetSamples), nameof(CharsetSamples.Cases))]
    public void DecodesWhole(string charset, byte[] bytes, string text)
    {
        Assert.That(Charsets.IsKnown(charset), Is.True);
        Assert.That(Charsets.Decode(charset, bytes), Is.EqualTo(text));
        Assert.That(Charsets.Decode(charset.ToUpperInvariant(), bytes), Is.EqualTo(text), "names are case-insensitive");
    }

    [TestCaseSource(typeof(CharsetSamples), nameof(CharsetSamples.Cases))]
    public void DecodesOneByteAtATime(string charset, byte[] bytes, string text)
    {
        // Body text arrives in chunks: multi-byte characters, ISO-2022 shifts and BOMs straddle them.
        var decoder = ChunkTextDecoder.Create(charset);
        var result = new StringBuilder();
        var chars = new char[ChunkTextDecoder.MaxChars(1)];
        for (int i = 0; i <= bytes.Length; i++)
        {
            int n = decoder.Decode(i < bytes.Length ? bytes.AsSpan(i, 1) : [], chars, final: i == bytes.Length);
            result.Append(chars, 0, n);
        }

        Assert.That(result.ToString(), Is.EqualTo(text));
    }

    [TestCase("cp1251", "windows-1251")]
    [TestCase("CP-1251", "windows-1251")]
    [TestCase("x-cp1251", "windows-1251")]
    [TestCase("iso8859-2", "iso-8859-2")]
    [TestCase("latin2", "iso-8859-2")]
    [TestCase("\"koi8-r\"", "koi8-r")]
    [TestCase("windows-31j", "shift_jis")]
    [TestCase("x-sjis", "shift_jis")]
    [TestCase("cp932", "shift_jis")]
    [TestCase("x-gbk", "gbk")]
    [TestCase("cp936", "gbk")]
    [TestCase("big5-hkscs", "big5")]
    [TestCase("cp949", "ks_c_5601-1987")]
    [TestCase("utf-8*en", "utf-8")]
    public void AliasesMailersUse(string alias, string charset)
    {
        var sample = CharsetSamples.All.FirstOrDefault(s => s[0] == charset) ?? ["utf-8", "R3L832UgYXVzIEv2bG4=", "Grüße aus Köln"];
        byte[] bytes = charset == "utf-8" ? Encoding.UTF8.GetBytes(sample[2]) : Convert.FromBase64String(sample[1]);
        Assert.That(Charsets.IsKnown(alias), Is.True);
        Assert.That(Charsets.Decode(alias, bytes), Is.EqualTo(sample[2]));
    }

    [Test]
    public void Utf16WithoutAByteOrderMarkIsBigEndian()
    {
        // RFC 2781 §4.3; a BOM, when there is one, decides (see the samples).
        byte[] bytes = [0x00, 0x41, 0x00, 0xE9];
        Assert.That(Charsets.Decode("UTF-16", bytes), Is.EqualTo("A\u00e9"));
        var chars = new char[16];
        Assert.That(new string(chars, 0, ChunkTextDecoder.Create("utf-16").Decode(bytes, chars, final: true)), Is.EqualTo("A\u00e9"));
        Assert.That(Charsets.Decode("UTF-32", [0, 0, 0, 0x41]), Is.EqualTo("A"));
    }

    [TestCase("x-unknown-charset")]
    [TestCase("")]
    [TestCase("iso-8859-99")]
    public void UnknownCharsetsFallBackToUtf8ThenLatin1(string charset)
    {
        Assert.That(Charsets.IsKnown(charset), Is.False);
        Assert.That(Charsets.Decode(charset, "Gr\u00fc\u00dfe"u8), Is.EqualTo("Gr\u00fc\u00dfe"));
        Assert.That(Charsets.Decode(charset, [0x47, 0x72, 0xFC]), Is.EqualTo("Gr\u00fc"));
    }
}
