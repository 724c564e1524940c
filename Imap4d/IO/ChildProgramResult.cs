namespace Imap4d.IO;

/// <summary>How a helper program ended: its exit code (null if it did not run to an exit), its bounded output, and why it failed.</summary>
public sealed record ChildProgramResult(int? ExitCode, string Output, string? Error);
