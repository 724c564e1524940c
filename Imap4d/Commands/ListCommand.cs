using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.8 LIST and §6.3.9 LSUB, with RFC 3348 CHILDREN attributes.
public sealed class ListCommand(bool subscribedOnly) : IImapCommand
{
    public string Name => subscribedOnly ? "LSUB" : "LIST";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        subscribedOnly ? [] : context.Settings.SpecialUse.Count > 0 ? ["CHILDREN", "SPECIAL-USE"] : ["CHILDREN"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string reference = Utf8Accept.NameIn(args, args.ExpectAString("reference"));
        string pattern = Utf8Accept.NameIn(args, ExpectListMailbox(args));
        args.ExpectEnd();
        foreach (var info in context.Session.RequireStore().List(reference, pattern, subscribedOnly))
        {
            var writer = context.Writer.Untagged().Atom(Name).BeginList();
            foreach (string attribute in AttributeNames(info.Attributes))
            {
                writer.Atom(attribute);
            }

            if (info.SpecialUse is { } use)
            {
                writer.Atom(use);
            }

            writer.EndList().String(info.Delimiter.ToString()).AString(Utf8Accept.NameOut(context, info.Name)).EndLine();
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }

    /// <summary>list-mailbox: an atom that may hold the wildcards % and *, or a string.</summary>
    private static string ExpectListMailbox(ArgReader args) => args.ExpectAny("mailbox pattern") switch
    {
        AtomArg a => a.Value,
        StringArg s => s.Text,
        _ => throw new ImapSyntaxException("Invalid mailbox pattern"),
    };

    private static IEnumerable<string> AttributeNames(MailboxAttributes attributes)
    {
        if (attributes.HasFlag(MailboxAttributes.Noinferiors))
        {
            yield return @"\Noinferiors";
        }

        if (attributes.HasFlag(MailboxAttributes.Noselect))
        {
            yield return @"\Noselect";
        }

        if (attributes.HasFlag(MailboxAttributes.HasChildren))
        {
            yield return @"\HasChildren";
        }

        if (attributes.HasFlag(MailboxAttributes.HasNoChildren))
        {
            yield return @"\HasNoChildren";
        }

        if (attributes.HasFlag(MailboxAttributes.Marked))
        {
            yield return @"\Marked";
        }

        if (attributes.HasFlag(MailboxAttributes.Unmarked))
        {
            yield return @"\Unmarked";
        }
    }
}
