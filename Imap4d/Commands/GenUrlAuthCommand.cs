using Imap4d.Commands.UrlAuth;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 4467 §6.2 GENURLAUTH: for each rump URL (";URLAUTH=access" without a verifier) of a
// mailbox of the session's own user, the URL with ":internal:<verifier>" appended, the verifier
// made with the mailbox's access key (made on first use). URLAUTH=BINARY (RFC 5524) and
// URL-PARTIAL (RFC 5550) are URLFETCH's and the URL syntax's; they are advertised with URLAUTH.
public sealed class GenUrlAuthCommand : IImapCommand
{
    public string Name => "GENURLAUTH";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["URLAUTH", "URLAUTH=BINARY", "URL-PARTIAL"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var requests = new List<string>();
        do
        {
            requests.Add(args.ExpectAString("URL"));
            if (!UrlAuthToken.IsInternal(args.ExpectAtom("mechanism")))
            {
                return ValueTask.FromResult(CommandResult.Bad("Unsupported URLAUTH mechanism"));
            }
        }
        while (!args.AtEnd);

        var store = context.Session.RequireStore();
        string user = context.Session.User!.Name;
        var authorized = new List<string>();
        foreach (string url in requests)
        {
            if (!ImapUrl.TryParse(url, out var rump) || !rump.IsAbsolute || rump.User != user
                || !rump.HasUrlAuth || rump.Mechanism is not null || !MailboxMatches(store, rump))
            {
                return ValueTask.FromResult(CommandResult.No("Invalid URL", ImapUrl.BadUrlCode(url)));
            }

            if (store.UrlAuthKey(rump.Mailbox, create: true) is not { } key)
            {
                return ValueTask.FromResult(CommandResult.No("Cannot keep a URLAUTH key for this mailbox"));
            }

            authorized.Add(url + ":" + UrlAuthToken.MechanismInUrl + ":" + UrlAuthToken.Compute(key, url));
        }

        var writer = context.Writer.Untagged().Atom("GENURLAUTH");
        foreach (string url in authorized)
        {
            writer.String(url);
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("GENURLAUTH Completed"));
    }

    /// <summary>The URL's mailbox exists and has the URL's UIDVALIDITY, if it gives one.</summary>
    private static bool MailboxMatches(IMailStore store, ImapUrl url)
    {
        try
        {
            var status = store.Status(url.Mailbox);
            return url.UidValidity is not uint validity || validity == status.UidValidity;
        }
        catch (StorageException)
        {
            return false;
        }
    }
}
