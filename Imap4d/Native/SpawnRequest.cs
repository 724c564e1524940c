namespace Imap4d.Native;

/// <summary>
/// What <see cref="PosixSpawn.Spawn"/> starts: a program, its argv (argv[0] included) and
/// environment ("NAME=value"), and the descriptors the child gets.
/// </summary>
/// <param name="Path">The executable, an absolute path (no PATH search).</param>
/// <param name="Arguments">argv, argv[0] first.</param>
/// <param name="Environment">The whole environment of the child.</param>
public sealed record SpawnRequest(string Path, IReadOnlyList<string> Arguments, IReadOnlyList<string> Environment)
{
    /// <summary>
    /// (source, target) pairs applied in order with dup2 in the child: the child's descriptor
    /// <c>target</c> is the parent's <c>source</c>, without close-on-exec. Every other
    /// descriptor the parent holds reaches the child only if it lacks close-on-exec, and
    /// descriptors above the highest target are closed when the C library can (closefrom).
    /// </summary>
    public IReadOnlyList<(int Source, int Target)> Descriptors { get; init; } = [];

    /// <summary>Start the child in a session of its own (setsid), detached from the terminal.</summary>
    public bool NewSession { get; init; }
}
