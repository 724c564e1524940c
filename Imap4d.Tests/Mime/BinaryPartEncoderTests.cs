using System.Text;
using Imap4d.Commands;
using Imap4d.Mime;
using Imap4d.Session;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Mime;

/// <summary>
/// Binary appends (RFC 3516 literal8): parts with Content-Transfer-Encoding binary are stored in
/// base64, so BINARY gives back every byte appended, NUL and bare CR/LF included, on every store.
/// MimeKit decodes the stored form as the oracle.
/// </summary>
public class BinaryPartEncoderTests
{
    private static readonly byte[] Payload = [0, (byte)'-', 0xe4, (byte)'\n', (byte)'\r', (byte)'\n', (byte)'\n'];

    private static byte[] Message(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Test]
    public void ABinarySinglePartBecomesBase64AndDecodesToTheSameBytes()
    {
        byte[] message = Message(Ascii("From: a@example.org\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"), Payload);
        var stored = Encode(message);
        Assert.That(stored, Is.Not.Null);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(stored!));
        var part = (MimeKit.MimePart)parsed.Body!;
        Assert.That(part.ContentTransferEncoding, Is.EqualTo(MimeKit.ContentEncoding.Base64));
        Assert.That(Decoded(part), Is.EqualTo(Payload));
        Assert.That(parsed.Headers["From"], Is.EqualTo("a@example.org"));
        Assert.That(stored!.All(b => b is >= 32 and < 127 or (byte)'\r' or (byte)'\n'), Is.True, "7-bit text only");
    }

    [Test]
    public void OnlyTheBinaryPartsOfAMultipartChange()
    {
        var random = new Random(5);
        byte[] big = new byte[100_000];
        random.NextBytes(big);
        byte[] message = Message(
            Ascii("From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\npreamble\r\n--xx\r\n"),
            Ascii("Content-Type: text/plain\r\n\r\nplain text stays\r\n--xx\r\n"),
            Ascii("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding:\r\n  BINARY\r\nContent-Disposition: attachment; filename=x.bin\r\n\r\n"), big,
            Ascii("\r\n--xx\r\nContent-Type: application/x-small\r\nContent-Transfer-Encoding: binary\r\n\r\n"), Payload,
            Ascii("\r\n--xx--\r\nepilogue\r\n"));
        var stored = Encode(message);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(stored!));
        var parts = ((MimeKit.Multipart)parsed.Body!).Cast<MimeKit.MimePart>().ToList();
        Assert.That(parts, Has.Count.EqualTo(3));
        Assert.That(((MimeKit.TextPart)parts[0]).Text, Is.EqualTo("plain text stays"));
        Assert.That(Decoded(parts[1]), Is.EqualTo(big));
        Assert.That(parts[1].FileName, Is.EqualTo("x.bin"));
        Assert.That(Decoded(parts[2]), Is.EqualTo(Payload));
        Assert.That(Encoding.ASCII.GetString(stored!), Does.Contain("preamble\r\n").And.EndWith("--xx--\r\nepilogue\r\n"));
        Assert.That(Encoding.ASCII.GetString(stored!).Split("\r\n").Max(l => l.Length), Is.LessThanOrEqualTo(78));
    }

    [Test]
    public void MessagesWithoutBinaryPartsAreLeftAlone()
    {
        Assert.That(Encode(Ascii("Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\nbody\r\n")), Is.Null);
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public async Task BinaryGivesBackEveryAppendedByteAndBodyIsBase64(string type)
    {
        using var store = new TranscriptMailStore(type);
        var user = new Imap4d.Auth.UserInfo("demo", store.HomeOf("demo"));
        await using var client = new TestClient(store.Settings, start: new SessionStart(user, false), storeFactory: u => store.For(store.Settings, u));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("* PREAUTH"));
        byte[] message = Message(Ascii("From: user@domain.org\r\nMime-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"), Payload);
        client.SendRaw(Ascii($"1 APPEND INBOX ~{{{message.Length}+}}\r\n"));
        client.SendRaw(message);
        client.SendRaw(Ascii("\r\n"));
        Assert.That((await client.ReadLineAsync())!, Does.StartWith("1 OK [APPENDUID"));
        Assert.That((await client.CommandAsync("2", "SELECT INBOX"))[^1], Does.StartWith("2 OK"));
        client.Send("3 FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo($"* 1 FETCH (BINARY.SIZE[1] {Payload.Length} BINARY[1] ~{{{Payload.Length}}}"));
        Assert.That(await client.ReadBytesAsync(Payload.Length), Is.EqualTo(Payload));
        Assert.That(await client.ReadLineAsync(), Is.EqualTo(")"));
        Assert.That(await client.ReadLineAsync(), Does.StartWith("3 OK"));
        var body = await client.CommandAsync("4", "FETCH 1 (BODY.PEEK[1])");
        Assert.That(string.Join("\n", body), Does.Contain(Convert.ToBase64String(Payload)));
    }

    private static byte[]? Encode(byte[] message)
    {
        using var output = new MemoryStream();
        return BinaryPartEncoder.TryEncode(new MemoryStream(message), output) ? output.ToArray() : null;
    }

    private static byte[] Decoded(MimeKit.MimePart part)
    {
        using var decoded = new MemoryStream();
        part.Content!.DecodeTo(decoded);
        return decoded.ToArray();
    }
}
