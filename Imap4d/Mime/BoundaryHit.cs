namespace Imap4d.Mime;

/// <summary>A boundary line found while scanning.</summary>
/// <param name="Index">Position of the matching boundary in the open-boundary stack.</param>
/// <param name="Close">True for "--boundary--".</param>
/// <param name="LineStart">Offset of the boundary line.</param>
/// <param name="PrevTerminator">Terminator length of the line before it (belongs to the boundary).</param>
/// <param name="LineFeedsBefore">LF count of the stream before the boundary line.</param>
internal sealed record BoundaryHit(int Index, bool Close, long LineStart, int PrevTerminator, long LineFeedsBefore);
