using System.Globalization;
using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// Builds server responses element by element and chooses the wire form of strings itself
/// (atom, quoted string or literal). Spacing between elements is automatic. Output is
/// buffered and written synchronously once the buffer is large, so a huge FETCH does not
/// accumulate in memory; <see cref="FlushAsync"/> sends the rest.
/// </summary>
public sealed class ResponseWriter
{
    private const int FlushThreshold = 64 * 1024;
    private const int MaxQuotedLength = 1024;

    /// <summary>A buffer larger than this (grown while held for a push) is let go after it is sent.</summary>
    private const int HeldBufferKept = 256 * 1024;

    /// <summary>What a NUL byte in a literal is sent as (a literal must not hold NUL).</summary>
    private const byte NulReplacement = 0x80;

    private readonly Stream _output;
    private readonly Action<string>? _transcript;
    private readonly StringBuilder? _lineText;
    private byte[] _buffer = new byte[8 * 1024];
    private byte[]? _chunk;
    private int _length;
    private bool _needSpace;

    /// <summary>Output is written synchronously once this much is buffered (more while held for a push).</summary>
    private int _threshold = FlushThreshold;

    /// <summary>While held: the longest a synchronous write may wait for a client that does not read.</summary>
    private TimeSpan? _writeDeadline;

    /// <param name="output">The client stream.</param>
    /// <param name="transcript">Receives each complete line with literal payloads left out; null for none.</param>
    public ResponseWriter(Stream output, Action<string>? transcript = null)
    {
        _output = output;
        _transcript = transcript;
        _lineText = transcript is null ? null : new StringBuilder();
    }

    /// <summary>Total bytes handed to the stream so far (for logging and tests).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Starts an untagged line: "*".</summary>
    public ResponseWriter Untagged() => Token("*");

    /// <summary>Starts a tagged line.</summary>
    public ResponseWriter Tag(string tag) => Token(tag);

    /// <summary>An atom, written as is (the caller guarantees atom syntax).</summary>
    public ResponseWriter Atom(string atom) => Token(atom);

    public ResponseWriter Number(long n) => Token(n.ToString(CultureInfo.InvariantCulture));

    /// <summary>Free text to the end of the line (resp-text), preceded by a space.</summary>
    public ResponseWriter Text(string text)
    {
        Separate();
        WriteAscii(text);
        return this;
    }

    /// <summary>Bytes written without a separating space, e.g. "BODY[1]" right before "&lt;0&gt;".</summary>
    public ResponseWriter Raw(string text)
    {
        WriteAscii(text);
        _needSpace = true;
        return this;
    }

    public ResponseWriter Nil() => Token("NIL");

    /// <summary>A complete element already in wire form (e.g. a cached ENVELOPE), preceded by a space when needed.</summary>
    public ResponseWriter WireBytes(ReadOnlySpan<byte> wire)
    {
        Separate();
        Append(wire);
        _lineText?.Append("<cached>");
        _needSpace = true;
        return this;
    }

    /// <summary>The wire form of the elements <paramref name="write"/> produces, for caching.</summary>
    public static byte[] Capture(Action<ResponseWriter> write)
    {
        using var buffer = new MemoryStream();
        var writer = new ResponseWriter(buffer);
        write(writer);
        writer.FlushBuffer();
        return buffer.ToArray();
    }

    /// <summary>"(" — the next element follows without a space.</summary>
    public ResponseWriter BeginList()
    {
        Separate();
        WriteByte((byte)'(');
        _needSpace = false;
        return this;
    }

    /// <summary>The next element follows without a space (RFC 2342 namespace descriptors are adjacent).</summary>
    public ResponseWriter Adjacent()
    {
        _needSpace = false;
        return this;
    }

    public ResponseWriter EndList()
    {
        WriteByte((byte)')');
        _needSpace = true;
        return this;
    }

    /// <summary>A string: quoted when it can be, a literal otherwise.</summary>
    public ResponseWriter String(string value) => String(Encoding.UTF8.GetBytes(value));

    /// <summary>A string from bytes: quoted when it can be, a literal otherwise.</summary>
    public ResponseWriter String(ReadOnlySpan<byte> value)
    {
        if (CanQuote(value))
        {
            Separate();
            WriteByte((byte)'"');
            foreach (byte b in value)
            {
                if (b == '"' || b == '\\')
                {
                    WriteByte((byte)'\\');
                }

                WriteByte(b);
            }

            WriteByte((byte)'"');
            _needSpace = true;
            return this;
        }

        return Literal(value);
    }

    /// <summary>NIL for null, otherwise a string.</summary>
    public ResponseWriter NString(string? value) => value is null ? Nil() : String(value);

    /// <summary>An atom when the value is a valid atom (and not NIL), otherwise a string.</summary>
    public ResponseWriter AString(string value)
    {
        if (value.Length > 0 && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase) && IsAString(value))
        {
            return Token(value);
        }

        return String(value);
    }

    /// <summary>
    /// A literal with the given bytes. A literal holds CHAR8 only (RFC 3501 §9: any octet but
    /// NUL), so a NUL byte is sent as 0x80, as Dovecot does; the length is unchanged, so
    /// RFC822.SIZE and the BODYSTRUCTURE sizes still add up.
    /// </summary>
    public ResponseWriter Literal(ReadOnlySpan<byte> value)
    {
        WriteLiteralHeader(value.Length);
        if (value.IndexOf((byte)0) >= 0)
        {
            byte[] copy = value.ToArray();
            copy.AsSpan().Replace((byte)0, NulReplacement);
            value = copy;
        }

        Append(value);
        _needSpace = true;
        return this;
    }

    /// <summary>
    /// A literal copied from a stream that holds exactly <paramref name="length"/> bytes (NUL sent as
    /// 0x80), or with <paramref name="binary"/> a literal8 (RFC 3516 <c>~{n}</c>) that keeps NUL.
    /// </summary>
    public ResponseWriter Literal(Stream content, long length, bool binary = false)
    {
        if (binary)
        {
            Separate();
            WriteByte((byte)'~');
            _needSpace = false;
        }

        WriteLiteralHeader(length);
        if (length <= Math.Max(FlushThreshold, _threshold - _length))
        {
            // Small literals join the buffer: one write per many messages, not two per message.
            EnsureRoom((int)length);
            var target = _buffer.AsSpan(_length, (int)length);
            int filled = 0;
            while (filled < target.Length)
            {
                int n = content.Read(target[filled..]);
                if (n <= 0)
                {
                    target[filled..].Clear(); // the content shrank under us: pad so the client stays in sync
                    break;
                }

                filled += n;
            }

            if (!binary)
            {
                target.Replace((byte)0, NulReplacement);
            }

            _length += target.Length;
            _needSpace = true;
            return this;
        }

        FlushBuffer();
        long copied = 0;
        var chunk = _chunk ??= new byte[128 * 1024];
        while (copied < length)
        {
            int n = content.Read(chunk, 0, (int)Math.Min(chunk.Length, length - copied));
            if (n <= 0)
            {
                // The content shrank under us: pad so the client stays in sync.
                Array.Clear(chunk);
                n = (int)Math.Min(chunk.Length, length - copied);
            }

            if (!binary)
            {
                chunk.AsSpan(0, n).Replace((byte)0, NulReplacement);
            }

            WriteOut(chunk.AsMemory(0, n));
            BytesWritten += n;
            copied += n;
        }

        _needSpace = true;
        return this;
    }

    /// <summary>Ends the current line with CRLF.</summary>
    public void EndLine()
    {
        WriteByte((byte)'\r');
        WriteByte((byte)'\n');
        _needSpace = false;
        if (_lineText is not null)
        {
            _transcript!(_lineText.ToString(0, Math.Max(0, _lineText.Length - 2)));
            _lineText.Clear();
        }

        if (_length >= _threshold)
        {
            FlushBuffer();
        }
    }

    /// <summary>A whole tagged status line: TAG OK|NO|BAD [CODE] text.</summary>
    public void Tagged(string tag, string status, string? code, string text) => StatusLine(tag, status, code, text);

    /// <summary>A whole untagged status line: * OK|NO|BAD|BYE|PREAUTH [CODE] text.</summary>
    public void UntaggedStatus(string status, string? code, string text) => StatusLine("*", status, code, text);

    /// <summary>A continuation request: "+ text".</summary>
    public void Continue(string text)
    {
        // continue-req = "+" SP (resp-text / base64): the space is there even when the text is empty.
        Token("+").Text(text);
        EndLine();
    }

    /// <summary>Sends everything written so far.</summary>
    public async ValueTask FlushAsync(CancellationToken ct)
    {
        if (_length > 0)
        {
            await _output.WriteAsync(_buffer.AsMemory(0, _length), ct).ConfigureAwait(false);
            BytesWritten += _length;
            _length = 0;
            if (_buffer.Length > HeldBufferKept && _threshold == FlushThreshold)
            {
                _buffer = new byte[8 * 1024]; // a held push's large buffer is not kept for the session's life
            }
        }

        await _output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// For output nobody asked for (NOTIFY's events between commands, RFC 5465): up to
    /// <paramref name="limit"/> bytes stay in memory rather than being written synchronously, so
    /// that the caller sends them with <see cref="FlushAsync"/> and can tell a client that does not
    /// read (NOTIFICATIONOVERFLOW) instead of blocking in a write; beyond that, a synchronous write
    /// that waits longer than <paramref name="deadline"/> fails with <see cref="IOException"/>
    /// (the session ends: the output is stuck in the middle of a response). Until <see cref="EndHold"/>.
    /// </summary>
    public void HoldForPush(int limit, TimeSpan deadline)
    {
        _threshold = Math.Max(FlushThreshold, limit);
        _writeDeadline = deadline;
    }

    public void EndHold()
    {
        _threshold = FlushThreshold;
        _writeDeadline = null;
    }

    /// <summary>True when <paramref name="value"/> can be sent as a quoted string (7-bit TEXT-CHARs only).</summary>
    public static bool CanQuote(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxQuotedLength)
        {
            return false;
        }

        foreach (byte b in value)
        {
            if (b == 0 || b == '\r' || b == '\n' || b >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAString(string value)
    {
        foreach (char c in value)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    private void StatusLine(string tag, string status, string? code, string text)
    {
        Token(tag).Atom(status);
        if (code is not null)
        {
            Text("[" + code + "]");
        }

        Text(text);
        EndLine();
    }

    private void WriteLiteralHeader(long length)
    {
        Separate();
        WriteAscii("{" + length.ToString(CultureInfo.InvariantCulture) + "}\r\n");
        if (_lineText is not null)
        {
            // The payload never reaches the transcript (Append does not log); drop the CRLF too.
            _lineText.Length -= 2;
        }
    }

    private ResponseWriter Token(string token)
    {
        Separate();
        WriteAscii(token);
        _needSpace = true;
        return this;
    }

    private void Separate()
    {
        if (_needSpace)
        {
            WriteByte((byte)' ');
        }
    }

    private void WriteAscii(string text)
    {
        EnsureRoom(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        _lineText?.Append(text);
    }

    private void WriteByte(byte b)
    {
        EnsureRoom(1);
        _buffer[_length++] = b;
        _lineText?.Append((char)b);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Math.Max(FlushThreshold, _threshold - _length))
        {
            FlushBuffer();
            WriteOut(bytes.ToArray());
            BytesWritten += bytes.Length;
            return;
        }

        EnsureRoom(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void EnsureRoom(int count)
    {
        if (_length + count <= _buffer.Length)
        {
            return;
        }

        if (_length >= _threshold)
        {
            FlushBuffer();
            if (count <= _buffer.Length)
            {
                return;
            }
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
    }

    private void FlushBuffer()
    {
        if (_length > 0)
        {
            WriteOut(_buffer.AsMemory(0, _length));
            BytesWritten += _length;
            _length = 0;
        }
    }

    /// <summary>A synchronous write; while held, one that gives up after the deadline (see <see cref="HoldForPush"/>).</summary>
    private void WriteOut(ReadOnlyMemory<byte> data)
    {
        if (_writeDeadline is not { } deadline)
        {
            if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment))
            {
                _output.Write(segment.Array!, segment.Offset, segment.Count);
            }
            else
            {
                _output.Write(data.Span);
            }

            return;
        }

        using var cancel = new CancellationTokenSource();
        var write = _output.WriteAsync(data, cancel.Token).AsTask();
        bool done;
        try
        {
            done = write.Wait(deadline);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        if (!done)
        {
            cancel.Cancel();
            throw new IOException("the client has not read its events for " + deadline);
        }
    }
}
