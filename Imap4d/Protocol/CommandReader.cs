using System.Text;
using Imap4d.Config;

namespace Imap4d.Protocol;

/// <summary>
/// Reads client commands from a byte stream: tag, name and an argument tree, with quoted
/// strings, synchronizing and non-synchronizing literals (RFC 3501 §4.3, RFC 7888) and lists.
/// Every dimension is bounded by <see cref="ProtocolLimits"/>. Syntax errors are thrown as
/// <see cref="ImapSyntaxException"/> after the rest of the command has been consumed, so the
/// next read starts at the next command; <see cref="ProtocolViolationException"/> means the
/// stream cannot be resynchronized. CRLF and bare LF both end a line.
/// </summary>
public sealed class CommandReader
{
    /// <summary>Literals above this size are spooled to a temporary file rather than kept in memory.</summary>
    public const int SpoolThreshold = 1024 * 1024;

    /// <summary>
    /// At most this many literal bytes of one command are kept in memory; later literals go to the
    /// command's spool file whatever their size (MULTIAPPEND may carry thousands of messages).
    /// </summary>
    public const int CommandMemoryLimit = 16 * 1024 * 1024;

    private readonly InputBuffer _input;
    private readonly ProtocolLimits _limits;
    private readonly Func<CancellationToken, ValueTask> _sendContinuation;

    /// <param name="input">The client's bytes.</param>
    /// <param name="limits">Line, literal, nesting and argument-count bounds.</param>
    /// <param name="sendContinuation">Sends <c>+ ...</c> and flushes, before a synchronizing literal is read.</param>
    public CommandReader(InputBuffer input, ProtocolLimits limits, Func<CancellationToken, ValueTask> sendContinuation)
    {
        _input = input;
        _limits = limits;
        _sendContinuation = sendContinuation;
    }

    /// <summary>Directory for spooled literals.</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();

    /// <summary>
    /// Reads the next command. Returns null at end of input. Blank lines are skipped.
    /// </summary>
    public async ValueTask<ClientCommand?> ReadCommandAsync(CancellationToken ct)
    {
        var parser = new ArgumentParser(_limits);
        var literals = new CommandLiterals();
        try
        {
            while (true)
            {
                var line = await _input.ReadLineAsync(_limits.MaxLineLength, ct).ConfigureAwait(false);
                if (line is null)
                {
                    parser.DisposeAll();
                    return null;
                }

                if (line.TooLong)
                {
                    var marker = LiteralMarker.FindAtEnd(line.Line.Span);
                    parser.DisposeAll();
                    await SkipRestAsync(marker, ct).ConfigureAwait(false);
                    throw new ImapSyntaxException("Command line too long") { Tag = parser.Tag ?? ArgumentParser.TryReadTag(line.Head.Span) };
                }

                if (line.Line.IsEmpty && parser.IsEmpty)
                {
                    continue;
                }

                LiteralMarker? literal;
                try
                {
                    literal = parser.ParseSegment(line.Line.Span);
                }
                catch (ImapSyntaxException e)
                {
                    // Release spooled literals first: skipping may end in a ProtocolViolationException.
                    parser.DisposeAll();
                    await SkipRestAsync(LiteralMarker.FindAtEnd(line.Line.Span), ct).ConfigureAwait(false);
                    throw new ImapSyntaxException(e.Message) { Tag = parser.Tag, Code = e.Code };
                }

                if (literal is null)
                {
                    return parser.Finish();
                }

                long limit = parser.CommandName is "APPEND" ? _limits.MaxAppendSize : _limits.MaxLiteralSize;
                if (literal.Value.Length > limit)
                {
                    if (literal.Value.NonSynchronizing)
                    {
                        // The client is already sending the bytes; we will not read them.
                        parser.DisposeAll();
                        throw new ProtocolViolationException("Literal too large");
                    }

                    parser.DisposeAll();
                    throw new ImapSyntaxException("Literal too large") { Tag = parser.Tag, Code = "TOOBIG" };
                }

                if (!literal.Value.NonSynchronizing)
                {
                    await _sendContinuation(ct).ConfigureAwait(false);
                }

                var content = await ReadLiteralAsync(literal.Value.Length, literals, ct).ConfigureAwait(false);
                parser.AddLiteral(literal.Value.Binary ? content with { IsBinary = true } : content);
            }
        }
        catch (EndOfStreamException)
        {
            parser.DisposeAll();
            return null;
        }
    }

    /// <summary>
    /// Reads one raw line (AUTHENTICATE responses, IDLE's DONE) as ASCII text.
    /// Returns null at end of input; throws <see cref="ImapSyntaxException"/> when too long.
    /// </summary>
    public async ValueTask<string?> ReadRawLineAsync(CancellationToken ct)
    {
        var line = await _input.ReadLineAsync(_limits.MaxLineLength, ct).ConfigureAwait(false);
        if (line is null)
        {
            return null;
        }

        if (line.TooLong)
        {
            throw new ImapSyntaxException("Line too long");
        }

        return Encoding.Latin1.GetString(line.Line.Span);
    }

    /// <summary>True when the client has already sent more bytes.</summary>
    public bool HasPendingInput => _input.HasBufferedData;

    /// <summary>What the client has sent beyond the current command, already read from the stream.</summary>
    public ReadOnlySpan<byte> PendingInput => _input.Buffered;

    /// <summary>Waits until input arrives; false at end of stream.</summary>
    public ValueTask<bool> WaitForInputAsync(CancellationToken ct) => _input.WaitForDataAsync(ct);

    private async ValueTask<StringArg> ReadLiteralAsync(long length, CommandLiterals literals, CancellationToken ct)
    {
        if (length <= SpoolThreshold && literals.InMemory + length <= CommandMemoryLimit)
        {
            // Filled whole by the read (or dropped): no need to clear it first.
            var bytes = GC.AllocateUninitializedArray<byte>((int)length);
            await _input.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
            literals.InMemory += length;
            return StringArg.FromBytes(bytes, isLiteral: true);
        }

        bool fresh = literals.Spool is null;
        var spool = literals.Spool ??= new LiteralSpool(FileLiteral.CreateSpool(SpoolDirectory));
        try
        {
            long offset = spool.File.Seek(0, SeekOrigin.End);
            await _input.CopyExactlyAsync(spool.File, length, ct).ConfigureAwait(false);
            spool.File.Flush();
            return new StringArg(new FileLiteral(spool, offset, length), IsLiteral: true);
        }
        catch
        {
            if (fresh)
            {
                // No literal holds it yet, so nothing else will close it.
                spool.File.Dispose();
            }

            throw;
        }
    }

    /// <summary>What the literals of the command being read use: memory so far, and its spool file once it needs one.</summary>
    private sealed class CommandLiterals
    {
        public long InMemory { get; set; }

        public LiteralSpool? Spool { get; set; }
    }

    /// <summary>
    /// Consumes what is left of a rejected command. A synchronizing literal the client announced
    /// is never sent (we do not answer "+"), so the command ends there; a non-synchronizing one is
    /// already on its way and is read and dropped when within the limit.
    /// </summary>
    private async ValueTask SkipRestAsync(LiteralMarker? marker, CancellationToken ct)
    {
        while (marker is { NonSynchronizing: true } m)
        {
            if (m.Length > _limits.MaxAppendSize)
            {
                throw new ProtocolViolationException("Literal too large");
            }

            await _input.SkipAsync(m.Length, ct).ConfigureAwait(false);
            var line = await _input.ReadLineAsync(_limits.MaxLineLength, ct).ConfigureAwait(false);
            if (line is null)
            {
                throw new EndOfStreamException();
            }

            marker = LiteralMarker.FindAtEnd(line.Line.Span);
        }
    }
}
