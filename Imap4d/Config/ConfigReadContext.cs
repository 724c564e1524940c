namespace Imap4d.Config;

/// <summary>
/// State shared by all files read for one configuration: which files are open (to stop
/// include loops), which were read (for `#include_once`), and how to report progress.
/// </summary>
public sealed class ConfigReadContext
{
    private readonly Stack<string> _open = new();
    private readonly List<string> _read = [];

    /// <param name="programName">Selects `DIR/PROGRAM` when a directory is included.</param>
    /// <param name="verbose">Where `--config-verbose` reports each file, or null.</param>
    public ConfigReadContext(string programName = ConfigLoader.ProgramName, TextWriter? verbose = null)
    {
        ProgramName = programName;
        Verbose = verbose;
    }

    public string ProgramName { get; }

    public TextWriter? Verbose { get; }

    /// <summary>Every file read so far, full paths, in reading order.</summary>
    public IReadOnlyList<string> FilesRead => _read;

    internal bool IsOpen(string fullPath) => _open.Contains(fullPath);

    internal bool WasRead(string fullPath) => _read.Contains(fullPath);

    internal void Enter(string fullPath)
    {
        _open.Push(fullPath);
        _read.Add(fullPath);
    }

    internal void Leave() => _open.Pop();
}
