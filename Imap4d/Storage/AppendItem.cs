namespace Imap4d.Storage;

/// <summary>
/// One message of <see cref="IMailbox.AppendMany"/>: its bytes (opened when the driver is
/// ready for them, so a long COPY never holds every source open at once), flags and internal date.
/// </summary>
public sealed record AppendItem(Func<Stream> Open, FlagSet Flags, DateTimeOffset InternalDate);
