namespace Imap4d.Commands.Search;

/// <summary>
/// Looks for one folded needle in text that arrives in chunks; a match may straddle chunks.
/// Keeps only the last needle-length-minus-one characters between chunks.
/// </summary>
internal sealed class TextMatcher
{
    private readonly string _needle;
    private readonly char[] _joint;
    private int _tail;

    public TextMatcher(string foldedNeedle)
    {
        _needle = foldedNeedle;
        _joint = new char[Math.Max(0, 2 * (foldedNeedle.Length - 1))];
        Found = foldedNeedle.Length == 0;
    }

    public bool Found { get; private set; }

    /// <summary>Feeds folded text.</summary>
    public void Feed(ReadOnlySpan<char> chunk)
    {
        if (Found || chunk.IsEmpty)
        {
            return;
        }

        int keep = _needle.Length - 1;
        if (_tail > 0)
        {
            // The joint: the previous tail followed by the start of this chunk.
            int head = Math.Min(keep, chunk.Length);
            chunk[..head].CopyTo(_joint.AsSpan(_tail));
            if (_joint.AsSpan(0, _tail + head).IndexOf(_needle.AsSpan(), StringComparison.Ordinal) >= 0)
            {
                Found = true;
                return;
            }
        }

        if (chunk.IndexOf(_needle.AsSpan(), StringComparison.Ordinal) >= 0)
        {
            Found = true;
            return;
        }

        if (keep == 0)
        {
            return;
        }

        if (chunk.Length >= keep)
        {
            chunk[^keep..].CopyTo(_joint);
            _tail = keep;
        }
        else
        {
            // Joint holds tail + chunk (already copied above when there was a tail); keep its end.
            int total;
            if (_tail > 0)
            {
                total = _tail + chunk.Length;
            }
            else
            {
                chunk.CopyTo(_joint);
                total = chunk.Length;
            }

            int newTail = Math.Min(keep, total);
            _joint.AsSpan(total - newTail, newTail).CopyTo(_joint);
            _tail = newTail;
        }
    }

    /// <summary>Ends a run of text: the next chunk cannot continue a match (between MIME parts).</summary>
    public void Break() => _tail = 0;
}
