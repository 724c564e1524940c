namespace Imap4d.Mime;

/// <summary>
/// A Content-Type or Content-Disposition parameter. RFC 2231 continuations are joined: an
/// extended parameter keeps its "*" suffix and its charset'language'%XX value undecoded
/// (as Dovecot reports it); <see cref="HeaderParser.DecodeParameterValue"/> decodes it.
/// </summary>
public sealed record MimeParameter(string Name, string Value);
