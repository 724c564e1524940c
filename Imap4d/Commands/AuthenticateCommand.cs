using System.Text;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.2.2 AUTHENTICATE with PLAIN (RFC 4616) and LOGIN, and SASL-IR (RFC 4959).
public sealed class AuthenticateCommand : IImapCommand
{
    public string Name => "AUTHENTICATE";

    public SessionStates AllowedIn => SessionStates.NotAuthenticated;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        context.State != SessionState.NotAuthenticated || context.LoginDisabled
            ? []
            : ["AUTH=PLAIN", "AUTH=LOGIN", "SASL-IR"];

    public async ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string mechanism = args.ExpectAtom("mechanism").ToUpperInvariant();
        string? initial = args.AtEnd ? null : args.ExpectAtom("initial response");
        args.ExpectEnd();
        if (context.LoginDisabled)
        {
            return CommandResult.No("Authentication is disabled", "PRIVACYREQUIRED");
        }

        return mechanism switch
        {
            "PLAIN" => await PlainAsync(context, initial, ct).ConfigureAwait(false),
            "LOGIN" => await LoginAsync(context, initial, ct).ConfigureAwait(false),
            _ => CommandResult.No("Unsupported authentication mechanism"),
        };
    }

    private static async ValueTask<CommandResult> PlainAsync(CommandContext context, string? initial, CancellationToken ct)
    {
        var (status, bytes) = initial is null
            ? await ReadResponseAsync(context, "", ct).ConfigureAwait(false)
            : Decode(initial);
        if (status is not null)
        {
            return status;
        }

        if (!TryParsePlain(bytes!, out string authzid, out string authcid, out string password))
        {
            return CommandResult.Bad("Invalid PLAIN response");
        }

        if (authzid.Length > 0 && authzid != authcid && !context.Settings.Auth.Impersonation.Enabled)
        {
            // Acting as another user needs the `impersonation` block.
            return CommandResult.No("Authorization identity not permitted", "AUTHORIZATIONFAILED");
        }

        return await Authentication.LoginAsync(context, authcid, password, "PLAIN", ct, authzid).ConfigureAwait(false);
    }

    private static async ValueTask<CommandResult> LoginAsync(CommandContext context, string? initial, CancellationToken ct)
    {
        var (status, user) = initial is null
            ? await ReadResponseAsync(context, "VXNlcm5hbWU6", ct).ConfigureAwait(false)
            : Decode(initial);
        if (status is not null)
        {
            return status;
        }

        var (status2, password) = await ReadResponseAsync(context, "UGFzc3dvcmQ6", ct).ConfigureAwait(false);
        if (status2 is not null)
        {
            return status2;
        }

        if (!TryUtf8(user!, out string userText) || !TryUtf8(password!, out string passwordText))
        {
            return CommandResult.Bad("Invalid LOGIN response");
        }

        return await Authentication.LoginAsync(context, userText, passwordText, "LOGIN", ct).ConfigureAwait(false);
    }

    /// <summary>Sends a base64 challenge and decodes the reply; "*" cancels (tagged BAD, RFC 3501).</summary>
    private static async ValueTask<(CommandResult? Status, byte[]? Bytes)> ReadResponseAsync(
        CommandContext context, string challenge, CancellationToken ct)
    {
        string? line = await context.ContinueAsync(challenge, ct).ConfigureAwait(false);
        if (line is null)
        {
            throw new EndOfStreamException();
        }

        if (line == "*")
        {
            return (CommandResult.Bad("AUTHENTICATE cancelled"), null);
        }

        return Decode(line);
    }

    /// <summary>Strict base64; "=" alone is an empty response (RFC 4959).</summary>
    private static (CommandResult? Status, byte[]? Bytes) Decode(string text)
    {
        if (text == "=")
        {
            return (null, []);
        }

        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return (CommandResult.Bad("Invalid base64 response"), null);
        }

        try
        {
            return (null, Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return (CommandResult.Bad("Invalid base64 response"), null);
        }
    }

    /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd, UTF-8, no further NULs.</summary>
    private static bool TryParsePlain(byte[] message, out string authzid, out string authcid, out string password)
    {
        authzid = authcid = password = "";
        int first = Array.IndexOf(message, (byte)0);
        int second = first < 0 ? -1 : Array.IndexOf(message, (byte)0, first + 1);
        if (second < 0 || Array.IndexOf(message, (byte)0, second + 1) >= 0 || second == first + 1)
        {
            return false;
        }

        return TryUtf8(message[..first], out authzid)
            && TryUtf8(message[(first + 1)..second], out authcid)
            && TryUtf8(message[(second + 1)..], out password);
    }

    private static bool TryUtf8(byte[] bytes, out string text)
    {
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
