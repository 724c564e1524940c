using Imap4d.Commands.List;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.8 LIST and §6.3.9 LSUB, with RFC 3348 CHILDREN attributes, RFC 5258 LIST-EXTENDED,
// RFC 5819 LIST-STATUS and RFC 6154 SPECIAL-USE.
public sealed class ListCommand(bool subscribedOnly) : IImapCommand
{
    public string Name => subscribedOnly ? "LSUB" : "LIST";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        subscribedOnly ? [] : ["CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        if (!subscribedOnly)
        {
            var arguments = ListArguments.Parse(args, Imap4Rev2.IsEnabled(context.Session));
            arguments = arguments with
            {
                Reference = Utf8Accept.NameIn(args, arguments.Reference),
                Patterns = arguments.Patterns.Select(p => Utf8Accept.NameIn(args, p)).ToList(),
            };
            if (arguments.IsExtended)
            {
                ListExtended(context, arguments);
                return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
            }

            ListPlain(context, arguments.Reference, arguments.Patterns[0]);
            return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
        }

        string reference = Utf8Accept.NameIn(args, args.ExpectAString("reference"));
        string pattern = Utf8Accept.NameIn(args, ListArguments.ExpectListMailbox(args));
        args.ExpectEnd();
        ListPlain(context, reference, pattern);
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }

    private void ListPlain(CommandContext context, string reference, string pattern)
    {
        foreach (var info in context.Session.RequireStore().List(reference, pattern, subscribedOnly))
        {
            WriteLine(context, info, childInfo: false);
        }
    }

    private void ListExtended(CommandContext context, ListArguments arguments)
    {
        var store = context.Session.RequireStore();
        foreach (var entry in ExtendedListing.Select(store, arguments))
        {
            WriteLine(context, entry.Info, entry.SubscribedChild);
            var attributes = entry.Info.Attributes;
            if (arguments.StatusItems is { } items &&
                (attributes & (MailboxAttributes.Noselect | MailboxAttributes.NonExistent)) == 0)
            {
                try
                {
                    items.Write(context, entry.Info.Name);
                }
                catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
                {
                    // RFC 5819 §2: a mailbox whose status cannot be had gets no STATUS line; the LIST goes on.
                }
            }
        }
    }

    private void WriteLine(CommandContext context, MailboxInfo info, bool childInfo) =>
        ListResponse.Write(context, Name, info, childInfo);
}
