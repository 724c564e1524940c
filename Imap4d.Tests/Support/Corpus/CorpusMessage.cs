namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// One message of a <see cref="TestCorpus"/>: its bytes (LF line ends), maildir flag letters
/// ("FRS"), whether it is still in new/, and its delivery (internal) date.
/// </summary>
public sealed record CorpusMessage(string Label, byte[] Bytes, string Flags, bool New, DateTime Arrival);
