namespace Imap4d.Storage;

/// <summary>
/// A file a kept STATUS answer rests on (<see cref="IMailboxDriver.StatusDependencies"/>): by its
/// content (its full stat stamp must be unchanged and settled), or, with
/// <paramref name="PlaceOnly"/>, only by whether it exists, its type, owner and mode (what decides
/// where a driver keeps its files: a directory's entries coming and going do not matter then).
/// </summary>
/// <param name="FollowLinks">For <paramref name="PlaceOnly"/>: stat(2) rather than lstat(2).</param>
public readonly record struct StatusDependency(string Path, bool PlaceOnly = false, bool FollowLinks = true);
