using System.Buffers.Binary;
using System.Text;

namespace Imap4d.Hosting;

/// <summary>
/// Builds the messages the daemon and its login and session processes exchange: bytes, 32-bit
/// integers (little-endian) and length-prefixed UTF-8 strings, read back by <see cref="WireReader"/>.
/// </summary>
public sealed class WireWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public WireWriter Byte(byte value)
    {
        Room(1)[0] = value;
        _length++;
        return this;
    }

    public WireWriter Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public WireWriter Int(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Room(4), value);
        _length += 4;
        return this;
    }

    /// <summary>A string, or null (length -1).</summary>
    public WireWriter String(string? value)
    {
        if (value is null)
        {
            return Int(-1);
        }

        int count = Encoding.UTF8.GetByteCount(value);
        Int(count);
        _length += Encoding.UTF8.GetBytes(value, Room(count));
        return this;
    }

    public WireWriter Bytes(ReadOnlySpan<byte> value)
    {
        Int(value.Length);
        value.CopyTo(Room(value.Length));
        _length += value.Length;
        return this;
    }

    private Span<byte> Room(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        return _buffer.AsSpan(_length, count);
    }
}
