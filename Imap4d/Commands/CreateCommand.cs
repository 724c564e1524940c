using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.3.3 CREATE, with RFC 6154 CREATE-SPECIAL-USE: CREATE name (USE (\Drafts ...))
public sealed class CreateCommand : IImapCommand
{
    public string Name => "CREATE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["CREATE-SPECIAL-USE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var uses = new List<string>();
        string? unsupported = null;
        if (args.TryList(out var parameters))
        {
            // RFC 4466 create parameters; USE is the only one known.
            while (!parameters.AtEnd)
            {
                if (!parameters.TryAtom("USE"))
                {
                    throw new ImapSyntaxException("Unknown CREATE parameter");
                }

                var attributes = parameters.ExpectList("special-use attributes");
                while (!attributes.AtEnd)
                {
                    string attribute = attributes.ExpectAtom("special-use attribute");
                    string? creatable = SpecialUse.Creatable.FirstOrDefault(a => a.Equals(attribute, StringComparison.OrdinalIgnoreCase));
                    if (creatable is null)
                    {
                        unsupported ??= attribute;
                    }
                    else if (!uses.Contains(creatable))
                    {
                        uses.Add(creatable);
                    }
                }
            }
        }

        args.ExpectEnd();
        if (MailboxNameCheck.RefuseNew(name) is { } refused)
        {
            return ValueTask.FromResult(refused);
        }

        if (unsupported is not null)
        {
            return ValueTask.FromResult(CommandResult.No($"Special-use attribute {unsupported} is not supported", "USEATTR"));
        }

        var store = context.Session.RequireStore();
        store.Create(name, uses);
        string? code = null;
        try
        {
            code = $"MAILBOXID ({store.MailboxId(name)})"; // RFC 8474 §4.1
        }
        catch (StorageException)
        {
            // a folder that holds only folders, or no usable state directory: no id
        }

        return ValueTask.FromResult(CommandResult.Ok("CREATE Completed", code));
    }
}
