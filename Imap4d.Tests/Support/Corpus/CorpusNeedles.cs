namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// Invented words a <see cref="TestCorpus"/> plants in known places, so SEARCH has hits: a body
/// line, a From address, a Subject word, a word in bodies and Keywords: fields, and a
/// non-ASCII Subject word that only RFC 2047 decoding finds.
/// </summary>
public sealed record CorpusNeedles(string Body, string From, string Subject, string Text, string SubjectUtf8);
