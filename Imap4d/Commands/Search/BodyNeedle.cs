namespace Imap4d.Commands.Search;

/// <summary>
/// A string the body scanner looks for, case-folded. <paramref name="WithPartHeaders"/> (TEXT)
/// also looks in the MIME headers of the parts; BODY looks in the parts' content and in the
/// headers of attached messages only.
/// </summary>
public sealed record BodyNeedle(string Folded, bool WithPartHeaders);
