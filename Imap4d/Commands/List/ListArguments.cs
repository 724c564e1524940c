using Imap4d.Commands.Status;
using Imap4d.Protocol;

namespace Imap4d.Commands.List;

/// <summary>LIST-EXTENDED selection options (RFC 5258 §3, RFC 6154 §5.1).</summary>
[Flags]
public enum ListSelection
{
    None = 0,
    Subscribed = 1,
    Remote = 2,
    RecursiveMatch = 4,
    SpecialUse = 8,
}

/// <summary>LIST-EXTENDED return options (RFC 5258 §3, RFC 6154 §5.2, RFC 5819).</summary>
[Flags]
public enum ListReturn
{
    None = 0,
    Subscribed = 1,
    Children = 2,
    SpecialUse = 4,
    Status = 8,
}

/// <summary>
/// The arguments of LIST: <c>LIST [(selection)] reference (pattern | (pattern ...)) [RETURN (options)]</c>.
/// <see cref="IsExtended"/> is false for the RFC 3501 form, which is answered exactly as before.
/// </summary>
public sealed record ListArguments(string Reference, IReadOnlyList<string> Patterns, ListSelection Selection, ListReturn Return,
    StatusItems? StatusItems, bool IsExtended)
{
    /// <param name="imap4rev2">The session speaks IMAP4rev2 (RETURN (STATUS (DELETED)) is allowed).</param>
    public static ListArguments Parse(ArgReader args, bool imap4rev2)
    {
        bool extended = false;
        var selection = ListSelection.None;
        if (args.TryList(out var selectionList))
        {
            extended = true;
            selection = ParseSelection(selectionList);
        }

        string reference = args.ExpectAString("reference");
        var patterns = new List<string>();
        if (args.TryList(out var patternList))
        {
            extended = true;
            while (!patternList.AtEnd)
            {
                patterns.Add(ExpectListMailbox(patternList));
            }

            if (patterns.Count == 0)
            {
                throw new ImapSyntaxException("Missing mailbox pattern");
            }
        }
        else
        {
            patterns.Add(ExpectListMailbox(args));
        }

        var returns = ListReturn.None;
        StatusItems? status = null;
        if (args.TryAtom("RETURN"))
        {
            extended = true;
            (returns, status) = ParseReturn(args.ExpectList("return options"), imap4rev2);
        }

        args.ExpectEnd();
        if ((selection & ~ListSelection.Remote) == ListSelection.RecursiveMatch)
        {
            throw new ImapSyntaxException("RECURSIVEMATCH needs another selection option");
        }

        if (selection.HasFlag(ListSelection.Subscribed))
        {
            returns |= ListReturn.Subscribed; // RFC 5258 §3: SUBSCRIBED selection implies the return option
        }

        return new ListArguments(reference, patterns, selection, returns, status, extended);
    }

    /// <summary>list-mailbox: an atom that may hold the wildcards % and *, or a string.</summary>
    public static string ExpectListMailbox(ArgReader args) => args.ExpectAny("mailbox pattern") switch
    {
        AtomArg a => a.Value,
        StringArg s => s.Text,
        _ => throw new ImapSyntaxException("Invalid mailbox pattern"),
    };

    private static ListSelection ParseSelection(ArgReader list)
    {
        var selection = ListSelection.None;
        while (!list.AtEnd)
        {
            selection |= list.ExpectAtom("selection option").ToUpperInvariant() switch
            {
                "SUBSCRIBED" => ListSelection.Subscribed,
                "REMOTE" => ListSelection.Remote,
                "RECURSIVEMATCH" => ListSelection.RecursiveMatch,
                "SPECIAL-USE" => ListSelection.SpecialUse,
                var other => throw new ImapSyntaxException("Unknown selection option " + other),
            };
        }

        return selection;
    }

    private static (ListReturn, StatusItems?) ParseReturn(ArgReader list, bool imap4rev2)
    {
        var returns = ListReturn.None;
        StatusItems? status = null;
        while (!list.AtEnd)
        {
            string option = list.ExpectAtom("return option").ToUpperInvariant();
            returns |= option switch
            {
                "SUBSCRIBED" => ListReturn.Subscribed,
                "CHILDREN" => ListReturn.Children,
                "SPECIAL-USE" => ListReturn.SpecialUse,
                "STATUS" => ListReturn.Status,
                _ => throw new ImapSyntaxException("Unknown return option " + option),
            };
            if (option == "STATUS")
            {
                if (status is not null)
                {
                    throw new ImapSyntaxException("STATUS given twice");
                }

                status = StatusItems.Parse(list.ExpectList("status items"), imap4rev2);
            }
        }

        return (returns, status);
    }
}
