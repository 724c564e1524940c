using Imap4d.Storage;

namespace Imap4d.Delivery;

/// <summary>What a filter said: the folder (null for the default one) and the flags and keywords to set.</summary>
public sealed record FilterVerdict(string? Folder, FlagSet Flags);
