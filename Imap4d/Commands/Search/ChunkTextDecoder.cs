using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// Turns body bytes into text chunk by chunk, keeping multi-byte sequences (and ISO-2022 shift
/// states) that straddle chunks. UTF-8, US-ASCII, a missing charset and unknown charsets are
/// read as UTF-8 where valid and ISO-8859-1 byte by byte elsewhere (8-bit mail is often
/// mislabelled); every charset <see cref="Charsets"/> knows goes through its .NET decoder.
/// </summary>
internal sealed class ChunkTextDecoder
{
    private readonly byte[] _carry = new byte[4];
    private Decoder? _decoder;
    private int _carryLength;

    /// <summary>"UTF-16"/"UTF-32" whose byte order the first bytes (a BOM or none) decide.</summary>
    private Encoding? _unordered;

    private ChunkTextDecoder(Decoder? decoder)
    {
        _decoder = decoder;
    }

    public static ChunkTextDecoder Create(string? charset)
    {
        string name = (charset ?? "").Trim().ToLowerInvariant();
        if (name is "" or "utf-8" or "utf8" or "us-ascii" or "ascii")
        {
            return new ChunkTextDecoder(null);
        }

        var encoding = Charsets.Find(name);
        if (encoding is not null && Charsets.NeedsByteOrder(encoding))
        {
            return new ChunkTextDecoder(null) { _unordered = encoding };
        }

        return new ChunkTextDecoder(encoding is null || encoding is UTF8Encoding ? null : encoding.GetDecoder());
    }

    /// <summary>Most chars <see cref="Decode"/> writes for <paramref name="byteCount"/> input bytes.</summary>
    public static int MaxChars(int byteCount) => byteCount + 8;

    /// <summary>Decodes <paramref name="bytes"/> into <paramref name="chars"/>; returns the count written.</summary>
    public int Decode(ReadOnlySpan<byte> bytes, Span<char> chars, bool final)
    {
        if (_unordered is not null)
        {
            return DecodeAfterByteOrderMark(bytes, chars, final);
        }

        if (_decoder is not null)
        {
            return _decoder.GetChars(bytes, chars, final);
        }

        return DecodeUtf8OrLatin1(bytes, chars, final);
    }

    /// <summary>Collects the first four bytes, picks the byte order from them, then decodes on.</summary>
    private int DecodeAfterByteOrderMark(ReadOnlySpan<byte> bytes, Span<char> chars, bool final)
    {
        int take = Math.Min(_carry.Length - _carryLength, bytes.Length);
        bytes[..take].CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += take;
        if (_carryLength < _carry.Length && !final)
        {
            return 0;
        }

        var start = _carry.AsSpan(0, _carryLength);
        var encoding = Charsets.ByByteOrderMark(_unordered!, start, out int bom);
        bom = Math.Min(bom, start.Length);
        _unordered = null;
        _carryLength = 0;
        _decoder = encoding.GetDecoder();
        int written = _decoder.GetChars(start[bom..], chars, flush: false);
        return written + _decoder.GetChars(bytes[take..], chars[written..], final);
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
