using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.11 APPEND, answering APPENDUID (RFC 4315 UIDPLUS); several messages in one
// command are MULTIAPPEND (RFC 3502), stored all or none; a message may be a literal8 (RFC 3516
// BINARY); APPENDLIMIT (RFC 7889) advertises the largest message accepted.
public sealed class AppendCommand : IImapCommand
{
    public string Name => "APPEND";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public bool AcceptsLiteral8 => true;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        ["UIDPLUS", "MULTIAPPEND", "APPENDLIMIT=" + context.Settings.Limits.MaxAppendSize, "CATENATE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var messages = new List<AppendMessage>();
        try
        {
            do
            {
                messages.Add(AppendMessage.Read(args, context));
            }
            while (!args.AtEnd);

            if (messages.Any(m => m.Content.Length == 0))
            {
                return ValueTask.FromResult(CommandResult.No("Empty message"));
            }

            return ValueTask.FromResult(Store(context, name, messages));
        }
        catch (CatenateException e)
        {
            // A missing target outranks a bad part (as Dovecot answers, and imaptest's catenate
            // script expects): the client's remedy for TRYCREATE does not depend on the parts.
            return ValueTask.FromResult(MissingTarget(context, name) ?? CommandResult.No(e.Message, e.Code));
        }
        finally
        {
            foreach (var message in messages.Where(m => m.Owned))
            {
                message.Content.Dispose();
            }
        }
    }

    /// <summary>The answer for a target mailbox that does not exist; null when it does.</summary>
    private static CommandResult? MissingTarget(CommandContext context, string name)
    {
        try
        {
            context.Session.RequireStore().OpenForAppend(name).Dispose();
            return null;
        }
        catch (StorageException e) when (e.Error == StorageError.NotFound)
        {
            return MailboxNameCheck.RefuseNew(name) ?? CommandResult.No("Mailbox does not exist", "TRYCREATE");
        }
        catch (StorageException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="messages"/> in mailbox <paramref name="name"/>, all or none; the APPENDUID result.</summary>
    internal static CommandResult Store(CommandContext context, string name, IReadOnlyList<AppendMessage> messages)
    {
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
            return MailboxNameCheck.RefuseNew(name) ?? CommandResult.No("Mailbox does not exist", "TRYCREATE");
        }

        try
        {
            store.CheckQuota(name, messages.Sum(m => m.Content.Length), messages.Count); // RFC 9208 [OVERQUOTA]
            IReadOnlyList<uint> uids;
            if (messages.Count == 1)
            {
                using var content = messages[0].Content.OpenRead();
                uids = [target.Append(content, messages[0].Flags, messages[0].InternalDate)];
            }
            else
            {
                uids = target.AppendAll(messages.Select(m => m.ToItem()).ToList());
            }

            return CommandResult.Ok("APPEND Completed", $"APPENDUID {target.UidValidity} {SequenceSet.FromNumbers(uids)}");
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
