namespace Imap4d.Commands;

/// <summary>RFC 6855 UTF8=ACCEPT: the name a client ENABLEs.</summary>
public static class Utf8Accept
{
    public const string Capability = "UTF8=ACCEPT";
}
