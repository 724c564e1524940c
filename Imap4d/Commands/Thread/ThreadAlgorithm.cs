namespace Imap4d.Commands.Thread;

/// <summary>The THREAD algorithms (RFC 5256 §3; REFS as Dovecot offers it).</summary>
public enum ThreadAlgorithm
{
    /// <summary>RFC 5256: messages grouped by base subject, each group one flat thread.</summary>
    OrderedSubject,

    /// <summary>RFC 5256: References/In-Reply-To links, then threads of equal base subject merged.</summary>
    References,

    /// <summary>
    /// Dovecot's THREAD=REFS (after draft-ietf-morg-inthread): the links of REFERENCES without
    /// merging by subject, threads ordered by their newest message.
    /// </summary>
    Refs,
}
