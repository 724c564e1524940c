namespace Imap4d.Config;

/// <summary>Where a configuration token or node came from, printed as `FILE:LINE` (just `FILE` when the line is 0).</summary>
public readonly record struct SourceLocation(string File, int Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}
