using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Commands.List;

/// <summary>One line of an extended LIST: the mailbox and whether a descendant is subscribed (CHILDINFO).</summary>
public sealed record ListEntry(MailboxInfo Info, bool SubscribedChild);

/// <summary>
/// Which names an extended LIST returns (RFC 5258 §3): the existing mailboxes matching any of
/// the patterns, or with the SUBSCRIBED selection the subscribed names matching one (those that
/// do not exist marked \NonExistent), each name once, in the order first found. RECURSIVEMATCH
/// adds the matching parents (existing or not) of subscribed names that the patterns miss, and
/// marks every returned name with a subscribed descendant with CHILDINFO ("SUBSCRIBED");
/// SPECIAL-USE keeps only mailboxes that have a special use.
/// </summary>
public static class ExtendedListing
{
    public static IReadOnlyList<ListEntry> Select(IMailStore store, ListArguments arguments)
    {
        return arguments.Selection.HasFlag(ListSelection.Subscribed)
            ? SelectSubscribed(store, arguments)
            : SelectExisting(store, arguments);
    }

    private static List<ListEntry> SelectExisting(IMailStore store, ListArguments arguments)
    {
        var result = new List<ListEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var subscribed = arguments.Return.HasFlag(ListReturn.Subscribed)
            ? store.Subscriptions.ToHashSet(StringComparer.Ordinal)
            : null;
        bool specialUseOnly = arguments.Selection.HasFlag(ListSelection.SpecialUse);
        foreach (string pattern in arguments.Patterns)
        {
            foreach (var info in store.List(arguments.Reference, pattern))
            {
                if (!seen.Add(info.Name) || (specialUseOnly && info.SpecialUse is null))
                {
                    continue;
                }

                var attributes = info.Attributes;
                if (subscribed?.Contains(info.Name) == true)
                {
                    attributes |= MailboxAttributes.Subscribed;
                }

                result.Add(new ListEntry(info with { Attributes = attributes }, false));
            }
        }

        return result;
    }

    private static List<ListEntry> SelectSubscribed(IMailStore store, ListArguments arguments)
    {
        var result = new List<ListEntry>();
        var subscriptions = store.Subscriptions;
        var subscribed = subscriptions.ToHashSet(StringComparer.Ordinal);
        bool recursive = arguments.Selection.HasFlag(ListSelection.RecursiveMatch);
        bool specialUseOnly = arguments.Selection.HasFlag(ListSelection.SpecialUse);
        var described = new Dictionary<string, MailboxInfo>(StringComparer.Ordinal);
        MailboxInfo Describe(string name)
        {
            if (!described.TryGetValue(name, out var info))
            {
                info = store.Describe(name);
                described[name] = info;
            }

            return info;
        }

        bool Selected(string name) => subscribed.Contains(name) && (!specialUseOnly || Describe(name).SpecialUse is not null);

        var considered = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in subscriptions)
        {
            char delimiter = Describe(name).Delimiter;
            foreach (string candidate in recursive ? ParentsThenSelf(name, delimiter) : [name])
            {
                if (!considered.Add(candidate) ||
                    !arguments.Patterns.Any(p => new ListPattern(arguments.Reference + p, delimiter).Matches(candidate)))
                {
                    continue;
                }

                // RFC 5258 §3.5 and example 9: a parent is returned for a selected descendant outside
                // the patterns (one inside is returned itself); a returned name carries CHILDINFO for any.
                bool self = Selected(candidate);
                var below = recursive
                    ? subscriptions.Where(s => s.Length > candidate.Length + 1 && s.StartsWith(candidate, StringComparison.Ordinal) &&
                                               s[candidate.Length] == delimiter && Selected(s)).ToList()
                    : [];
                bool child = below.Count > 0;
                if (!self && !below.Any(s => !arguments.Patterns.Any(p => new ListPattern(arguments.Reference + p, delimiter).Matches(s))))
                {
                    continue;
                }

                var info = Describe(candidate);
                var attributes = info.Attributes.HasFlag(MailboxAttributes.NonExistent) ? MailboxAttributes.NonExistent : info.Attributes;
                if (self)
                {
                    attributes |= MailboxAttributes.Subscribed;
                }

                result.Add(new ListEntry(info with { Attributes = attributes }, child));
            }
        }

        return result;
    }

    /// <summary>"a", "a/b", "a/b/c" for "a/b/c".</summary>
    private static IEnumerable<string> ParentsThenSelf(string name, char delimiter)
    {
        for (int at = name.IndexOf(delimiter); at > 0; at = name.IndexOf(delimiter, at + 1))
        {
            yield return name[..at];
        }

        yield return name;
    }
}
