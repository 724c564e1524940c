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
}
