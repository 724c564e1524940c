using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage.ModSeq;

namespace Imap4d.Commands;

/// <summary>
/// Which UIDs to report in <c>* VANISHED (EARLIER)</c> (RFC 7162 §3.2.5.1, §3.2.6): those expunged
/// at a MODSEQ above the client's, from the mailbox's record when it reaches back that far; else the
/// conservative superset the RFC allows — every UID below UIDNEXT not in the mailbox — narrowed by
/// the client's sequence-number/UID pairs where they still agree.
/// </summary>
internal static class VanishedUids
{
    /// <summary>The most members a seq-match set may expand to.</summary>
    private const int MaxMatchPairs = 100_000;

    /// <param name="within">The UIDs the client asks about (known-uids, or the UID FETCH set); null for all.</param>
    /// <param name="matchFloor">Below or at this UID the client's view and ours agree (from seq-match); 0 for none.</param>
    public static UidSet Since(SelectedMailbox selected, ulong since, UidSet? within, uint matchFloor = 0)
    {
        var mailbox = selected.Mailbox;
        uint top = mailbox.UidNext - 1;
        var result = mailbox.VanishedSince(since);
        if (result is null)
        {
            result = UidSet.Absent(selected.Uids, top);
            if (matchFloor > 0)
            {
                var above = new UidSet();
                if (matchFloor < top)
                {
                    above.Add(matchFloor + 1, top);
                }

                result = result.Intersect(above);
            }
        }

        if (within is not null)
        {
            result = result.Intersect(within);
        }

        return result;
    }

    /// <summary>A client's UID set as ranges, "*" meaning the highest UID (or UIDNEXT-1 in an empty mailbox).</summary>
    public static UidSet FromSequenceSet(SequenceSet set, SelectedMailbox selected)
    {
        uint max = selected.Uids.Count > 0 ? selected.Uids[^1] : Math.Max(1, selected.Mailbox.UidNext - 1);
        var result = new UidSet();
        foreach (var (first, last) in set.Ranges)
        {
            result.Add(first == SequenceSet.Star ? max : first, last == SequenceSet.Star ? max : last);
        }

        return result;
    }

    /// <summary>BAD for seq-match-data with "*" or sets of different sizes (RFC 7162 §3.2.5.2).</summary>
    public static void CheckMatch(SequenceSet sequences, SequenceSet uids)
    {
        if (sequences.UsesStar || uids.UsesStar)
        {
            throw new ImapSyntaxException("Sequence match data must not use *");
        }

        if (Count(sequences) != Count(uids))
        {
            throw new ImapSyntaxException("Sequence match data of different lengths");
        }
    }

    private static long Count(SequenceSet set) =>
        set.Ranges.Sum(r => (long)Math.Max(r.First, r.Last) - Math.Min(r.First, r.Last) + 1);

    /// <summary>
    /// RFC 7162 §3.2.5.2 seq-match-data: the highest UID whose sequence number the client and we
    /// agree on. Below it nothing can have vanished unseen (new messages only come above), so the
    /// superset need not go below it. 0 when none agrees.
    /// </summary>
    public static uint MatchFloor(SequenceSet sequences, SequenceSet uids, SelectedMailbox selected)
    {
        var seqList = sequences.Enumerate(uint.MaxValue - 1).Take(MaxMatchPairs).ToList();
        var uidList = uids.Enumerate(uint.MaxValue - 1).Take(MaxMatchPairs).ToList();
        uint floor = 0;
        for (int i = 0; i < uidList.Count && i < MaxMatchPairs; i++)
        {
            if (selected.SequenceOf(uidList[i]) == seqList[i])
            {
                floor = Math.Max(floor, uidList[i]);
            }
            else
            {
                break; // a first disagreement: something below the next pair vanished
            }
        }

        return floor;
    }
}
