using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.11 APPEND, answering APPENDUID (RFC 4315 UIDPLUS).
public sealed class AppendCommand : IImapCommand
{
    public string Name => "APPEND";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["UIDPLUS"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var flags = args.TryList(out var flagList) ? FlagArgs.Read(flagList) : FlagSet.Empty;
        var date = context.Services.Clock.GetLocalNow();
        if (args.Peek() is StringArg { IsLiteral: false } quoted)
        {
            args.ExpectAny();
            if (!ImapDate.TryParseDateTime(quoted.Text, out date))
            {
                throw new ImapSyntaxException("Invalid date-time");
            }
        }

        if (args.ExpectAny("message literal") is not StringArg { IsLiteral: true } message)
        {
            throw new ImapSyntaxException("Missing message literal");
        }

        args.ExpectEnd();
        if (message.Content.Length == 0)
        {
            return ValueTask.FromResult(CommandResult.No("Empty message"));
        }

        var store = context.Session.RequireStore();
        var selected = context.Session.Selected;
        bool targetIsSelected = selected is not null && store.Resolve(name) == store.Resolve(selected.Mailbox.Name);
        IMailbox target;
        try
        {
            target = targetIsSelected ? selected!.Mailbox : store.OpenForAppend(name);
        }
        catch (StorageException e) when (e.Error == StorageError.NotFound)
        {
            // No TRYCREATE for a name CREATE would refuse.
            return ValueTask.FromResult(MailboxNameCheck.RefuseNew(name) ?? CommandResult.No("Mailbox does not exist", "TRYCREATE"));
        }

        try
        {
            using var content = message.Content.OpenRead();
            uint uid = target.Append(content, flags, date);
            return ValueTask.FromResult(CommandResult.Ok("APPEND Completed", $"APPENDUID {target.UidValidity} {uid}"));
        }
        finally
        {
            if (!targetIsSelected)
            {
                target.Dispose();
            }
        }
    }
}
