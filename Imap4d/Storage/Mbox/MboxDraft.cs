using Imap4d.IO;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// A message as it will be stored in an mbox, prepared before the mailbox is locked: LF line
/// ends, the client's copies of our bookkeeping headers dropped, mboxrd quoting of "From " lines.
/// The header and the body are kept one after the other in a spool (memory while small, an
/// unlinked temporary file beyond <see cref="MemoryLimit"/>), so that a message of any size
/// passes through a bounded amount of memory. What goes between them (X-UID, Status, ...)
/// depends on the UID and is written under the lock by <see cref="MboxState.Append"/>.
/// </summary>
internal sealed class MboxDraft : IDisposable
{
    public const int MemoryLimit = 1 << 20;

    private readonly SpillStream _spool;

    /// <summary>How much of the header is read to find the envelope sender.</summary>
    private const int SenderSearchLimit = 64 * 1024;

    private MboxDraft(SpillStream spool, long headerLength, bool hasBody, bool bodyEndsWithNewline)
    {
        _spool = spool;
        HeaderLength = headerLength;
        HasBody = hasBody;
        BodyEndsWithNewline = bodyEndsWithNewline;
        EnvelopeSender = FindEnvelopeSender();
    }

    /// <summary>The sender for the From_ line: Return-Path, else Sender, else From (as GNU mailutils); MAILER-DAEMON when none.</summary>
    public string EnvelopeSender { get; }

    /// <summary>The kept header lines, each ending in LF.</summary>
    public long HeaderLength { get; }

    /// <summary>Whether the message has the empty line that ends the header (and so a body, maybe empty).</summary>
    public bool HasBody { get; }

    /// <summary>The quoted body, as stored.</summary>
    public long BodyLength => _spool.Length - HeaderLength;

    /// <summary>False when the body does not end in a newline: it then needs a Content-Length to come back byte for byte.</summary>
    public bool BodyEndsWithNewline { get; }

    /// <summary>Reads <paramref name="content"/> (CRLF or LF) to its end, keeping at most <paramref name="memoryLimit"/> bytes in memory.</summary>
    public static MboxDraft Prepare(Stream content, int memoryLimit = MemoryLimit)
    {
        // The stored message is about as long as the literal (less a CR per line): one allocation.
        var spool = new SpillStream(memoryLimit, capacity: content.CanSeek ? content.Length - content.Position : 0);
        try
        {
            using var lines = new LfLineSegments(content);
            long headerLength = WriteHeader(lines, spool, out bool sawBlank);
            bool endsWithNewline = true;
            if (sawBlank)
            {
                while (lines.Next(out var segment, out bool lineStart))
                {
                    if (lineStart && StartsQuotable(segment))
                    {
                        spool.WriteByte((byte)'>');
                    }

                    spool.Write(segment);
                    endsWithNewline = segment[^1] == '\n';
                }
            }

            return new MboxDraft(spool, headerLength, sawBlank, endsWithNewline);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds <paramref name="before"/>, the header, <paramref name="between"/>, the body and the LF
    /// that ends the message to <paramref name="writer"/>: straight from memory when the draft is there.
    /// </summary>
    public void AddTo(GatheredFileWriter writer, byte[] before, byte[] between)
    {
        writer.Add(before);
        if (_spool.TryGetBuffer(out var data))
        {
            writer.Add(data.AsMemory(0, (int)HeaderLength));
            writer.Add(between);
            writer.Add(data.AsMemory((int)HeaderLength, (int)BodyLength));
        }
        else
        {
            writer.AddDirect(CopyHeaderTo);
            writer.Add(between);
            writer.AddDirect(CopyBodyTo);
        }

        writer.Add(Newline);
    }

    private static readonly byte[] Newline = [(byte)'\n'];

    /// <summary>Writes the header part to <paramref name="file"/> at <paramref name="offset"/>; returns the offset after it.</summary>
    public long CopyHeaderTo(SafeFileHandle file, long offset) => CopyTo(file, offset, 0, HeaderLength);

    /// <summary>Writes the body part to <paramref name="file"/> at <paramref name="offset"/>; returns the offset after it.</summary>
    public long CopyBodyTo(SafeFileHandle file, long offset) => CopyTo(file, offset, HeaderLength, BodyLength);

    public void Dispose() => _spool.Dispose();

    private string FindEnvelopeSender()
    {
        int length = (int)Math.Min(HeaderLength, SenderSearchLimit);
        ReadOnlySpan<byte> header;
        if (_spool.TryGetBuffer(out var data))
        {
            header = data.AsSpan(0, length);
        }
        else
        {
            var copy = new byte[length];
            long position = _spool.Position;
            _spool.Position = 0;
            _spool.ReadExactly(copy);
            _spool.Position = position;
            header = copy;
        }

        var fields = Mime.HeaderParser.Parse(header, truncated: length < HeaderLength);
        foreach (string name in new[] { "Return-Path", "Sender", "From" })
        {
            var address = Mime.AddressParser.Parse(fields.GetValue(name))
                .FirstOrDefault(a => a is { Mailbox: { Length: > 0 } m } && m != Mime.Address.MissingMailbox);
            if (address is null)
            {
                continue;
            }

            string sender = address.Host is { Length: > 0 } host && host != Mime.Address.MissingDomain
                ? address.Mailbox + "@" + host
                : address.Mailbox!;
            // One word on the From_ line: readers split it on white space.
            if (sender.All(c => c > ' ' && c < 0x7f))
            {
                return sender;
            }
        }

        return "MAILER-DAEMON";
    }

    private long CopyTo(SafeFileHandle file, long offset, long from, long length)
    {
        var buffer = new byte[(int)Math.Min(Math.Max(length, 1), 1 << 16)];
        _spool.Position = from;
        while (length > 0)
        {
            int n = _spool.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (n <= 0)
            {
                throw new IOException("the message spool ended early");
            }

            RandomAccess.Write(file, buffer.AsSpan(0, n), offset);
            offset += n;
            length -= n;
        }

        return offset;
    }

    /// <summary>Header lines up to the empty line (not written), bookkeeping fields left out.</summary>
    private static long WriteHeader(LfLineSegments lines, Stream output, out bool sawBlank)
    {
        sawBlank = false;
        bool writing = false;
        bool hiding = false;
        bool lastEndedLine = true;
        while (lines.Next(out var segment, out bool lineStart))
        {
            if (lineStart)
            {
                if (MboxParser.IsBlank(segment))
                {
                    sawBlank = true;
                    break;
                }

                if (segment[0] is not ((byte)' ' or (byte)'\t'))
                {
                    hiding = MboxHeaders.HiddenIndex(MboxHeaders.FieldName(segment)) >= 0;
                }

                writing = !hiding;
                if (writing && segment[0] is not ((byte)' ' or (byte)'\t') && StartsQuotable(segment))
                {
                    output.WriteByte((byte)'>');
                }
            }

            if (writing)
            {
                output.Write(segment);
                lastEndedLine = segment[^1] == '\n';
            }
        }

        if (!lastEndedLine)
        {
            output.WriteByte((byte)'\n');
        }

        return output.Length;
    }

    /// <summary>mboxrd: a line that is "From " after any number of '&gt;' gets one more.</summary>
    private static bool StartsQuotable(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length && line[i] == '>')
        {
            i++;
        }

        return line[i..].StartsWith("From "u8);
    }
}
