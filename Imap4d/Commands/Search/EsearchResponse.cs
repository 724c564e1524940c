using System.Globalization;
using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Commands.Search;

/// <summary>
/// The ESEARCH line of an extended SEARCH or SORT:
/// <c>* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [PARTIAL (range set)] [COUNT n] [MODSEQ n]</c>
/// (RFC 4731 §3, RFC 5267 §3.2 and §4.4); no MIN, MAX or ALL without results.
/// </summary>
public static class EsearchResponse
{
    /// <param name="results">Message numbers or UIDs in result order (mailbox order for SEARCH, sort order for SORT).</param>
    /// <param name="modSeq">RFC 7162 §3.1.5: the MODSEQ to end the line with, or null.</param>
    public static void Write(ResponseWriter writer, string tag, bool byUid, SearchReturnOptions options, IReadOnlyList<uint> results,
        ulong? modSeq = null)
    {
        Begin(writer, tag, byUid);
        if (results.Count > 0)
        {
            if (options.Min)
            {
                writer.Atom("MIN").Number(results[0]);
            }

            if (options.Max)
            {
                writer.Atom("MAX").Number(results[^1]);
            }

            if (options.All)
            {
                writer.Atom("ALL").Atom(OrderedSet(results));
            }
        }

        if (options.Partial is { } partial)
        {
            var part = partial.Select(results);
            writer.Atom("PARTIAL").BeginList().Atom(partial.ToString()).Atom(part.Count == 0 ? "NIL" : OrderedSet(part)).EndList();
        }

        if (options.Count)
        {
            writer.Atom("COUNT").Number(results.Count);
        }

        if (modSeq is { } value)
        {
            writer.Atom("MODSEQ").Atom(CondStore.Format(value));
        }

        writer.EndLine();
    }

    /// <summary>Starts <c>* ESEARCH (TAG "t") [UID]</c>; the caller adds the data items and ends the line.</summary>
    public static ResponseWriter Begin(ResponseWriter writer, string tag, bool byUid)
    {
        writer.Untagged().Atom("ESEARCH").BeginList().Atom("TAG").String(tag).EndList();
        return byUid ? writer.Atom("UID") : writer;
    }

    /// <summary>
    /// Numbers in the given order as a sequence-set: only ascending runs become ranges, so the
    /// order survives (RFC 5267 §3.2); numbers in ascending order give the shortest set.
    /// </summary>
    public static string OrderedSet(IReadOnlyList<uint> numbers)
    {
        var text = new StringBuilder();
        int i = 0;
        while (i < numbers.Count)
        {
            int j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1)
            {
                j++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(numbers[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                text.Append(':').Append(numbers[j].ToString(CultureInfo.InvariantCulture));
            }

            i = j + 1;
        }

        return text.ToString();
    }
}
