using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 9208 §4.1.1 GETQUOTA: the usage and limits of one quota root. The QUOTA capabilities are
// advertised here: STORAGE and MESSAGE are the resources (STATUS DELETED and DELETED-STORAGE,
// which RFC 9208 §3.1 asks for with them, are in Status/StatusItems). Quotas belong to a user:
// they are advertised once one is logged in, as Dovecot does.
public sealed class GetQuotaCommand : IImapCommand
{
    public string Name => "GETQUOTA";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    // Listed before login too, like every other extension here: a client learns the whole set at once.
    public IEnumerable<string> Capabilities(CapabilityContext context) => ["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string root = args.ExpectAString("quota root");
        args.ExpectEnd();
        if (context.Session.RequireStore().GetQuota(root) is not { } resources)
        {
            return ValueTask.FromResult(CommandResult.No("No such quota root", "NONEXISTENT"));
        }

        QuotaResponse.Write(context.Writer, root, resources);
        return ValueTask.FromResult(CommandResult.Ok("GETQUOTA Completed"));
    }
}
