namespace Imap4d.Mime;

/// <summary>One line seen by <see cref="LineReader"/>.</summary>
/// <param name="Start">Offset of the first byte of the line.</param>
/// <param name="ContentLength">Bytes before the terminator.</param>
/// <param name="Kept">How many content bytes were copied to the caller's buffer.</param>
/// <param name="Terminator">0 (end of stream), 1 (LF) or 2 (CRLF).</param>
internal readonly record struct LineInfo(long Start, long ContentLength, int Kept, int Terminator)
{
    public long End => Start + ContentLength + Terminator;
}
