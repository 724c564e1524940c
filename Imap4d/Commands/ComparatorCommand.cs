using Imap4d.Commands.Sort;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5255 §4.7 COMPARATOR [collation-order...]: without arguments, names the active comparator;
// with some, makes the first collation the first matching argument names active for SORT and
// THREAD, and lists every collation that argument matched when it matched several. No match:
// NO [BADCOMPARATOR]. SEARCH keeps matching with i;unicode-casemap folding whatever is active
// (this server offers I18NLEVEL=1, where SEARCH is not bound to the comparator).
public sealed class ComparatorCommand : IImapCommand
{
    public string Name => "COMPARATOR";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var orders = new List<string>();
        while (!args.AtEnd)
        {
            orders.Add(args.ExpectAString("collation"));
        }

        IReadOnlyList<Collation>? matches = null;
        foreach (string order in orders)
        {
            var found = Collation.Matching(order);
            if (found.Count > 0)
            {
                matches = found;
                break;
            }
        }

        if (orders.Count > 0)
        {
            if (matches is null)
            {
                return ValueTask.FromResult(CommandResult.No("No such comparator", "BADCOMPARATOR"));
            }

            context.Session.Comparator = matches[0];
        }

        var writer = context.Writer.Untagged().Atom("COMPARATOR").String(context.Session.Comparator.Name);
        if (matches is { Count: > 1 })
        {
            writer.BeginList();
            foreach (var collation in matches)
            {
                writer.String(collation.Name);
            }

            writer.EndList();
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("COMPARATOR Completed"));
    }
}
