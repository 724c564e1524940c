using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.10 STATUS
public sealed class StatusCommand : IImapCommand
{
    public string Name => "STATUS";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var items = args.ExpectList("status items");
        args.ExpectEnd();
        var wanted = new List<string>();
        while (!items.AtEnd)
        {
            string item = items.ExpectAtom("status item").ToUpperInvariant();
            if (item is not ("MESSAGES" or "RECENT" or "UIDNEXT" or "UIDVALIDITY" or "UNSEEN"))
            {
                throw new ImapSyntaxException("Unknown status item " + item);
            }

            wanted.Add(item);
        }

        if (wanted.Count == 0)
        {
            throw new ImapSyntaxException("Missing status items");
        }

        var status = StatusOf(context, name);
        var writer = context.Writer.Untagged().Atom("STATUS").AString(Utf8Accept.NameOut(context, name)).BeginList();
        foreach (string item in wanted)
        {
            writer.Atom(item).Number(item switch
            {
                "MESSAGES" => status.Messages,
                "RECENT" => status.Recent,
                "UIDNEXT" => status.UidNext,
                "UIDVALIDITY" => status.UidValidity,
                _ => status.Unseen,
            });
        }

        writer.EndList().EndLine();
        return ValueTask.FromResult(CommandResult.Ok("STATUS Completed"));
    }

    /// <summary>The selected mailbox answers from its own view (with its own pending changes written first).</summary>
    private static MailboxStatus StatusOf(CommandContext context, string name)
    {
        if (context.Session.Selected is { } selected && selected.Mailbox.Name == name)
        {
            selected.Mailbox.Checkpoint();
        }

        return context.Session.RequireStore().Status(name);
    }
}
