namespace Imap4d.Storage.Quota;

/// <summary>One resource of a quota root as RFC 9208 reports it: STORAGE in units of 1024 octets, MESSAGE as a count.</summary>
public sealed record QuotaResource(string Name, ulong Usage, ulong Limit)
{
    public const string Storage = "STORAGE";
    public const string Message = "MESSAGE";

    /// <summary>Octets as STORAGE units, rounded up so that any use shows.</summary>
    public static ulong Kilobytes(long bytes) => (ulong)((Math.Max(bytes, 0) + 1023) / 1024);
}
