using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5267 §4.3.5 CANCELUPDATE "tag" ...: ends the updating searches opened by those commands.
// A tag that names none is BAD, and then none is ended.
public sealed class CancelUpdateCommand : IImapCommand
{
    public string Name => "CANCELUPDATE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var contexts = context.Session.RequireSelected().SearchContexts;
        var tags = new List<string>();
        do
        {
            tags.Add(args.ExpectAString("tag"));
        }
        while (!args.AtEnd);

        if (tags.Find(tag => !contexts.Exists(c => c.Tag == tag)) is { } unknown)
        {
            return ValueTask.FromResult(CommandResult.Bad("Unknown search context " + unknown));
        }

        contexts.RemoveAll(c => tags.Contains(c.Tag));
        return ValueTask.FromResult(CommandResult.Ok("CANCELUPDATE Completed"));
    }
}
