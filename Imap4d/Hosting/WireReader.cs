using System.Buffers.Binary;
using System.Text;

namespace Imap4d.Hosting;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote, trusting nothing: every length is checked against
/// what is left and against a bound, and anything malformed throws <see cref="InvalidDataException"/>
/// (a message from the login process is a stranger's input at one remove).
/// </summary>
public ref struct WireReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private ReadOnlySpan<byte> _rest;

    public WireReader(ReadOnlySpan<byte> message) => _rest = message;

    public readonly bool AtEnd => _rest.IsEmpty;

    public byte Byte()
    {
        var span = Take(1);
        return span[0];
    }

    public bool Bool() => Byte() switch
    {
        0 => false,
        1 => true,
        _ => throw new InvalidDataException("bad boolean"),
    };

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>A string of at most <paramref name="maxBytes"/> UTF-8 bytes, or null.</summary>
    public string? String(int maxBytes)
    {
        int count = Int();
        if (count == -1)
        {
            return null;
        }

        if (count < 0 || count > maxBytes)
        {
            throw new InvalidDataException("string too long");
        }

        try
        {
            return StrictUtf8.GetString(Take(count));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("string not UTF-8");
        }
    }

    public string RequiredString(int maxBytes) => String(maxBytes) ?? throw new InvalidDataException("missing string");

    public byte[] Bytes(int maxBytes)
    {
        int count = Int();
        if (count < 0 || count > maxBytes)
        {
            throw new InvalidDataException("byte string too long");
        }

        return Take(count).ToArray();
    }

    public readonly void ExpectEnd()
    {
        if (!_rest.IsEmpty)
        {
            throw new InvalidDataException("trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _rest.Length)
        {
            throw new InvalidDataException("message too short");
        }

        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
