using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// Turns body bytes into text chunk by chunk, keeping multi-byte sequences that straddle chunks.
/// UTF-8, US-ASCII, a missing charset and unknown charsets are read as UTF-8 where valid and
/// ISO-8859-1 byte by byte elsewhere (8-bit mail is often mislabelled); UTF-16/32 go through
/// .NET's decoders; the single-byte charsets <see cref="Charsets"/> knows are mapped per byte.
/// </summary>
internal sealed class ChunkTextDecoder
{
    private readonly Decoder? _decoder;
    private readonly string? _singleByte;
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;

    private ChunkTextDecoder(Decoder? decoder, string? singleByte)
    {
        _decoder = decoder;
        _singleByte = singleByte;
    }

    public static ChunkTextDecoder Create(string? charset)
    {
        string name = (charset ?? "").Trim().ToLowerInvariant();
        if (name.StartsWith("utf-16", StringComparison.Ordinal) || name.StartsWith("utf-32", StringComparison.Ordinal))
        {
            var encoding = name switch
            {
                "utf-16be" => Encoding.BigEndianUnicode,
                "utf-32be" => new UTF32Encoding(true, false),
                _ when name.StartsWith("utf-32", StringComparison.Ordinal) => Encoding.UTF32,
                _ => Encoding.Unicode,
            };
            return new ChunkTextDecoder(encoding.GetDecoder(), null);
        }

        bool utf8Like = name is "" or "utf-8" or "utf8" or "us-ascii" or "ascii" || !Charsets.IsKnown(name);
        return new ChunkTextDecoder(null, utf8Like ? null : name);
    }

    /// <summary>Most chars <see cref="Decode"/> writes for <paramref name="byteCount"/> input bytes.</summary>
    public static int MaxChars(int byteCount) => byteCount + 8;

    /// <summary>Decodes <paramref name="bytes"/> into <paramref name="chars"/>; returns the count written.</summary>
    public int Decode(ReadOnlySpan<byte> bytes, Span<char> chars, bool final)
    {
        if (_decoder is not null)
        {
            return _decoder.GetChars(bytes, chars, final);
        }

        if (_singleByte is not null)
        {
            string text = Charsets.Decode(_singleByte, bytes);
            text.CopyTo(chars);
            return text.Length;
        }

        return DecodeUtf8OrLatin1(bytes, chars, final);
    }

    private int DecodeUtf8OrLatin1(ReadOnlySpan<byte> bytes, Span<char> chars, bool final)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> src = bytes;
        if (_carryLength > 0)
        {
            rented = ArrayPool<byte>.Shared.Rent(_carryLength + bytes.Length);
            _carry.AsSpan(0, _carryLength).CopyTo(rented);
            bytes.CopyTo(rented.AsSpan(_carryLength));
            src = rented.AsSpan(0, _carryLength + bytes.Length);
            _carryLength = 0;
        }

        int written = 0;
        while (!src.IsEmpty)
        {
            var status = Utf8.ToUtf16(src, chars[written..], out int read, out int wrote, replaceInvalidSequences: false, isFinalBlock: final);
            src = src[read..];
            written += wrote;
            if (status == OperationStatus.InvalidData)
            {
                chars[written++] = (char)src[0];
                src = src[1..];
            }
            else if (status == OperationStatus.NeedMoreData)
            {
                src.CopyTo(_carry);
                _carryLength = src.Length;
                break;
            }
            else if (status != OperationStatus.Done)
            {
                break;
            }
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return written;
    }
}
