using System.Net;
using Imap4d.Config;
using NLog;

namespace Imap4d.Auth.Preauth;

/// <summary>
/// `preauth ident[://:PORT]`: asks the client host's RFC 1413 server who owns the connection
/// (mailutils imap4d/preauth.c do_preauth_ident). A `[...]` answer is a pidentd DES token,
/// decrypted with the `ident-keyfile` keys into a uid; `ident-encrypt-only` refuses plain names.
/// </summary>
public sealed class IdentPreauth : IPreauthProvider
{
    private readonly PreauthSettings _settings;
    private readonly ILogger _log;
    private readonly Func<uint, string?> _nameOfUid;

    /// <param name="nameOfUid">The user name of a uid from a decrypted token (getpwuid), or null.</param>
    public IdentPreauth(PreauthSettings settings, ILogger log, Func<uint, string?> nameOfUid)
    {
        _settings = settings;
        _log = log;
        _nameOfUid = nameOfUid;
    }

    public async ValueTask<string?> GetUserAsync(IPEndPoint? client, IPEndPoint? server, CancellationToken ct)
    {
        if (client is null || server is null)
        {
            _log.Warn("not enough data for IDENT preauth");
            return null;
        }

        var host = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
        var identServer = new IPEndPoint(host, _settings.IdentPort);
        string line;
        try
        {
            line = await IdentQuery.AskAsync(identServer, client.Port, server.Port, _settings.Timeout, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _log.Info("cannot read answer from {0}: {1}", identServer, e.Message);
            return null;
        }

        _log.Info("ident reply from {0}: {1}", identServer, line);
        var answer = IdentAnswer.Parse(line, client.Port, server.Port);
        if (answer.User is null)
        {
            _log.Info("{0} from {1}", answer.Error, identServer);
            return null;
        }

        if (!answer.IsEncrypted)
        {
            if (_settings.IdentEncryptOnly)
            {
                _log.Warn("refusing unencrypted ident reply from {0}", identServer);
                return null;
            }

            return answer.User;
        }

        return Decrypt(answer.User);
    }

    private string? Decrypt(string token)
    {
        if (_settings.IdentKeyFile is not { } file)
        {
            _log.Error("encrypted ident reply, but no key file: use `ident-keyfile FILE'");
            return null;
        }

        IReadOnlyList<byte[]> keys;
        try
        {
            keys = PidentdToken.ReadKeys(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("cannot open file {0}: {1}", file, e.Message);
            return null;
        }

        uint? uid = PidentdToken.DecryptUid(token, keys, out string? error);
        if (uid is null)
        {
            _log.Error(error ?? "failed to decrypt IDENT reply");
            return null;
        }

        string? name = _nameOfUid(uid.Value);
        if (name is null)
        {
            _log.Error("no user with UID {0}", uid.Value);
        }

        return name;
    }
}
