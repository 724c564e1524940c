using System.Buffers.Binary;
using System.Numerics;

namespace Imap4d.Storage.Index;

/// <summary>CRC-32C (Castagnoli) of a block, by the CPU's CRC instruction where it has one: cheap enough to check every index record as it is read.</summary>
public static class Checksum
{
    public static uint Of(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        if (i + 4 <= data.Length)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data[i..]));
            i += 4;
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return ~crc;
    }

    /// <summary>
    /// <see cref="Of"/> of four blocks of the same length at once: four independent chains keep
    /// the CPU's CRC unit busy where one chain waits on each step (index records are checked by
    /// the hundred thousand when a large index is read).
    /// </summary>
    public static (uint A, uint B, uint C, uint D) OfFour(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d)
    {
        int length = a.Length;
        if (b.Length != length || c.Length != length || d.Length != length)
        {
            throw new ArgumentException("blocks of different lengths");
        }

        uint ca = 0xFFFFFFFF, cb = 0xFFFFFFFF, cc = 0xFFFFFFFF, cd = 0xFFFFFFFF;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            ca = BitOperations.Crc32C(ca, BinaryPrimitives.ReadUInt64LittleEndian(a[i..]));
            cb = BitOperations.Crc32C(cb, BinaryPrimitives.ReadUInt64LittleEndian(b[i..]));
            cc = BitOperations.Crc32C(cc, BinaryPrimitives.ReadUInt64LittleEndian(c[i..]));
            cd = BitOperations.Crc32C(cd, BinaryPrimitives.ReadUInt64LittleEndian(d[i..]));
        }

        if (i + 4 <= length)
        {
            ca = BitOperations.Crc32C(ca, BinaryPrimitives.ReadUInt32LittleEndian(a[i..]));
            cb = BitOperations.Crc32C(cb, BinaryPrimitives.ReadUInt32LittleEndian(b[i..]));
            cc = BitOperations.Crc32C(cc, BinaryPrimitives.ReadUInt32LittleEndian(c[i..]));
            cd = BitOperations.Crc32C(cd, BinaryPrimitives.ReadUInt32LittleEndian(d[i..]));
            i += 4;
        }

        for (; i < length; i++)
        {
            ca = BitOperations.Crc32C(ca, a[i]);
            cb = BitOperations.Crc32C(cb, b[i]);
            cc = BitOperations.Crc32C(cc, c[i]);
            cd = BitOperations.Crc32C(cd, d[i]);
        }

        return (~ca, ~cb, ~cc, ~cd);
    }
}
