namespace Imap4d.Storage;

/// <summary>
/// STORE's UNCHANGEDSINCE (RFC 7162 §3.1.3), checked by the driver under its lock against the
/// message as it is then: a message changed after <see cref="UnchangedSince"/> keeps its flags and
/// is listed in <see cref="Modified"/>.
/// </summary>
public sealed class StoreCondition(ulong unchangedSince)
{
    public ulong UnchangedSince => unchangedSince;

    /// <summary>UIDs left alone because their MODSEQ was above <see cref="UnchangedSince"/>.</summary>
    public List<uint> Modified { get; } = [];

    /// <summary>True when the message may be changed; otherwise it is noted in <see cref="Modified"/>.</summary>
    public bool Allows(uint uid, ulong modSeq)
    {
        if (modSeq <= unchangedSince)
        {
            return true;
        }

        Modified.Add(uid);
        return false;
    }
}
