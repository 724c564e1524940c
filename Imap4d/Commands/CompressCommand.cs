using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 4978 COMPRESS=DEFLATE: after the tagged OK, both directions are raw deflate. Allowed once
// logged in (over TLS or not, as Dovecot does), once per connection.
public sealed class CompressCommand : IImapCommand
{
    public string Name => "COMPRESS";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    /// <summary>Advertised in every state, as UIDPLUS and the others are here; the command itself needs a login.</summary>
    public IEnumerable<string> Capabilities(CapabilityContext context) => ["COMPRESS=DEFLATE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string mechanism = args.ExpectAtom("compression mechanism");
        args.ExpectEnd();
        if (!mechanism.Equals("DEFLATE", StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(CommandResult.Bad("Unknown compression mechanism"));
        }

        if (context.CompressionActive)
        {
            return ValueTask.FromResult(CommandResult.No("Compression is already active", "COMPRESSIONACTIVE"));
        }

        return ValueTask.FromResult(CommandResult.Ok("DEFLATE active") with
        {
            AfterResponse = _ =>
            {
                context.StartCompression();
                return ValueTask.CompletedTask;
            },
        });
    }
}
