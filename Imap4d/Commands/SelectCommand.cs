using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.1 SELECT and §6.3.2 EXAMINE. A failed SELECT leaves no mailbox selected.
public sealed class SelectCommand(bool examine) : IImapCommand
{
    public string Name => examine ? "EXAMINE" : "SELECT";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        context.Session.Deselect();
        var mailbox = context.Session.RequireStore().Open(name, readOnly: examine);
        var selected = new SelectedMailbox(mailbox);
        selected.WriteSelectResponses(context.Writer);
        WriteMailboxId(context, name);
        context.Session.Selected = selected;
        context.Session.State = SessionState.Selected;
        string code = mailbox.ReadOnly ? "READ-ONLY" : "READ-WRITE";
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed", code));
    }

    /// <summary>RFC 8474: "* OK [MAILBOXID (id)]"; left out when the id cannot be kept (no usable state directory).</summary>
    private static void WriteMailboxId(CommandContext context, string name)
    {
        try
        {
            context.Writer.UntaggedStatus("OK", $"MAILBOXID ({context.Session.RequireStore().MailboxId(name)})", "Ok");
        }
        catch (Storage.StorageException)
        {
        }
    }
}
