using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 9208 §4.1.2 GETQUOTAROOT: the quota roots of a mailbox, then a QUOTA response for each.
public sealed class GetQuotaRootCommand : IImapCommand
{
    public string Name => "GETQUOTAROOT";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        var store = context.Session.RequireStore();
        store.Status(name); // NO [NONEXISTENT] for a mailbox that is not there, before any response
        var roots = store.QuotaRoots(name);
        var reports = roots.Select(root => (root, resources: store.GetQuota(root))).ToList();
        var writer = context.Writer.Untagged().Atom("QUOTAROOT").AString(Utf8Accept.NameOut(context, name));
        foreach (string root in roots)
        {
            writer.AString(root);
        }

        writer.EndLine();
        foreach (var (root, resources) in reports)
        {
            if (resources is not null)
            {
                QuotaResponse.Write(context.Writer, root, resources);
            }
        }

        return ValueTask.FromResult(CommandResult.Ok("GETQUOTAROOT Completed"));
    }
}
