using Imap4d.Commands.Search;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.4.4 SEARCH and UID SEARCH. The keys are parsed into a tree (Search/SearchParser),
// compiled once and run per message, cheapest checks first; headers and bodies are read only
// when a key needs them.
public sealed class SearchCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID SEARCH" : "SEARCH";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        SearchKey root;
        try
        {
            root = SearchParser.Parse(args);
        }
        catch (SearchCharsetException e)
        {
            return ValueTask.FromResult(CommandResult.No(e.Message, SearchCharsetException.ResponseCode));
        }

        var hits = SearchProgram.Compile(root).Run(selected, ct);
        var writer = context.Writer.Untagged().Atom("SEARCH");
        foreach (var (sequence, uid) in hits)
        {
            writer.Number(byUid ? uid : sequence);
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
