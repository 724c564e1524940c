namespace Imap4d.Mime;

/// <summary>The section-text of a FETCH BODY[...] section (RFC 3501 §6.4.5).</summary>
public enum SectionKind
{
    /// <summary>No section-text: the whole message, or the body of the numbered part.</summary>
    Full,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
    Mime,
}
