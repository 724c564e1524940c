namespace Imap4d.Config;

/// <summary>
/// A configuration error. Its message is `FILE:LINE: text`, the form GNU tools use,
/// so callers can print it as is.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(SourceLocation location, string reason)
        : base($"{location}: {reason}")
    {
        Location = location;
        Reason = reason;
    }

    public SourceLocation Location { get; }

    public string File => Location.File;

    public int Line => Location.Line;

    /// <summary>The message without the location prefix.</summary>
    public string Reason { get; }
}
