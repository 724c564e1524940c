namespace Imap4d.Mime;

/// <summary>
/// Streaming Content-Transfer-Encoding decoding (for SEARCH BODY/TEXT): base64 and
/// quoted-printable are decoded leniently through fixed buffers; anything else passes through.
/// </summary>
public sealed class TransferDecoder : Stream
{
    private const int ChunkSize = 16 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly Base64Decoder? _base64;
    private readonly QuotedPrintableDecoder? _qp;
    private readonly byte[] _in = new byte[ChunkSize];
    private readonly byte[] _out = new byte[ChunkSize + QuotedPrintableDecoder.MaxCarry + 8];
    private int _outPos;
    private int _outLen;
    private bool _done;

    private TransferDecoder(Stream inner, string? encoding, bool leaveOpen)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        string e = (encoding ?? "").Trim().ToLowerInvariant();
        if (e == "base64")
        {
            _base64 = new Base64Decoder();
        }
        else if (e == "quoted-printable")
        {
            _qp = new QuotedPrintableDecoder();
        }
    }

    /// <summary>
    /// True for the encodings this decoder knows (RFC 2045: 7bit, 8bit, binary, base64,
    /// quoted-printable; none means 7bit). BINARY answers [UNKNOWN-CTE] for any other (RFC 3516).
    /// </summary>
    public static bool CanDecode(string? contentTransferEncoding) =>
        (contentTransferEncoding ?? "").Trim().ToLowerInvariant() is "" or "7bit" or "8bit" or "binary" or "base64" or "quoted-printable";

    /// <summary>A read-only stream of the decoded bytes of <paramref name="encoded"/>.</summary>
    public static Stream Open(Stream encoded, string? contentTransferEncoding, bool leaveOpen = true) =>
        new TransferDecoder(encoded, contentTransferEncoding, leaveOpen);

    /// <summary>Decodes a whole buffer.</summary>
    public static byte[] DecodeBytes(ReadOnlySpan<byte> encoded, string? contentTransferEncoding)
    {
        using var input = new MemoryStream(encoded.ToArray(), false);
        using var decoder = Open(input, contentTransferEncoding);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_base64 is null && _qp is null)
        {
            return _inner.Read(buffer);
        }

        while (_outPos >= _outLen)
        {
            if (_done)
            {
                return 0;
            }

            int n = _inner.Read(_in, 0, _in.Length);
            _outPos = 0;
            if (n <= 0)
            {
                _done = true;
                _outLen = _qp?.Decode([], _out, final: true) ?? 0;
                continue;
            }

            _outLen = _base64 is not null ? _base64.Decode(_in.AsSpan(0, n), _out) : _qp!.Decode(_in.AsSpan(0, n), _out);
        }

        int take = Math.Min(buffer.Length, _outLen - _outPos);
        _out.AsSpan(_outPos, take).CopyTo(buffer);
        _outPos += take;
        return take;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
