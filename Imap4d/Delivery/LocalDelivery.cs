using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Storage;
using NLog;

namespace Imap4d.Delivery;

/// <summary>
/// Stores a received message for one user, in the process's current identity (the caller has
/// switched to the user): the quarantine check, then the filter, choose the folder and flags;
/// the message is then appended through the user's mail store exactly as an IMAP APPEND is
/// (<see cref="IMailStore.OpenForAppend"/> and <see cref="IMailbox.Append"/>: the same locks,
/// UIDs, index, cache and modseq bookkeeping), so a session sees it as its own. A folder that
/// cannot be used falls back to INBOX; only a failure to store into INBOX itself is a failure.
/// </summary>
public sealed class LocalDelivery
{
    private const string Inbox = "INBOX";
    private const string JunkUse = "\\Junk";

    private readonly ServerSettings _settings;
    private readonly Func<UserInfo, IMailStore> _storeFactory;
    private readonly MessageFilter _filter;
    private readonly ILogger _log;

    public LocalDelivery(ServerSettings settings, Func<UserInfo, IMailStore> storeFactory, ILogger log)
    {
        _settings = settings;
        _storeFactory = storeFactory;
        _log = log;
        _filter = new MessageFilter(settings.Filter, log);
    }

    public async Task<DeliveryOutcome> DeliverAsync(UserInfo user, IncomingMessage message, DeliveryRequest request, CancellationToken ct)
    {
        try
        {
            var store = _storeFactory(user);
            var (folder, flags) = await ChooseAsync(user, store, message, request, ct).ConfigureAwait(false);
            return Store(user, store, message, folder, flags);
        }
        catch (StorageException e)
        {
            _log.Error("cannot deliver to {0}: {1}{2}", user.Name, e.Message, e.Detail is { } detail ? " (" + detail + ")" : "");
            return Outcome(e);
        }
        catch (UnauthorizedAccessException e)
        {
            _log.Error("cannot deliver to {0}: {1}", user.Name, e.Message);
            return new DeliveryOutcome(DeliveryOutcome.NoPermission, "permission denied");
        }
        catch (IOException e)
        {
            _log.Error("cannot deliver to {0}: {1}", user.Name, e.Message);
            return new DeliveryOutcome(DeliveryOutcome.TempFail, "temporary failure");
        }
    }

    private static DeliveryOutcome Outcome(StorageException e) => e.Error switch
    {
        StorageError.NoPermission => new DeliveryOutcome(DeliveryOutcome.NoPermission, "permission denied"),
        StorageError.NotFound or StorageError.NotPossible or StorageError.AlreadyExists
            => new DeliveryOutcome(DeliveryOutcome.CantCreate, "cannot create or open the mailbox"),
        StorageError.TooBig => new DeliveryOutcome(DeliveryOutcome.DataError, "message too big"),
        _ => new DeliveryOutcome(DeliveryOutcome.TempFail, "temporary failure: " + e.Message),
    };

    /// <summary>The folder (null for the default) and flags: quarantine first, then the filter, then the requested folder.</summary>
    private async Task<(string? Folder, FlagSet Flags)> ChooseAsync(
        UserInfo user, IMailStore store, IncomingMessage message, DeliveryRequest request, CancellationToken ct)
    {
        if (IsQuarantined(message))
        {
            string junk;
            try
            {
                junk = JunkFolder(store);
            }
            catch (Exception e) when (e is StorageException or UnauthorizedAccessException or IOException)
            {
                _log.Warn("no junk folder for {0} ({1}): delivering the quarantined message to INBOX", user.Name, e.Message);
                junk = Inbox;
            }

            _log.Info("message for {0} is quarantined ({1}): delivering to {2}", user.Name, _settings.Filter.QuarantineHeader, junk);
            return (junk, FlagSet.Empty);
        }

        if (FilterCommand(user) is { } command)
        {
            var verdict = await _filter.RunAsync(command, message, Placeholders(user, message, request), user.Name, ct).ConfigureAwait(false);
            if (verdict is not null)
            {
                return (verdict.Folder ?? request.Folder, verdict.Flags);
            }

            return (null, FlagSet.Empty); // a failed filter: INBOX, unfiltered
        }

        return (request.Folder, FlagSet.Empty);
    }

    private DeliveryOutcome Store(UserInfo user, IMailStore store, IncomingMessage message, string? folder, FlagSet flags)
    {
        string name = folder is null ? Inbox : ModifiedUtf7.Encode(folder);
        if (!string.Equals(name, Inbox, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return Append(user, store, message, name, flags);
            }
            catch (Exception e) when (e is StorageException { Error: not (StorageError.Temporary or StorageError.InUse or StorageError.OverQuota) }
                                          or UnauthorizedAccessException)
            {
                _log.Warn("cannot deliver to folder {0} of {1} ({2}); delivering to INBOX", name, user.Name, e.Message);
            }
        }

        return Append(user, store, message, Inbox, flags);
    }

    private DeliveryOutcome Append(UserInfo user, IMailStore store, IncomingMessage message, string name, FlagSet flags)
    {
        using var box = OpenOrCreate(store, name);
        using var content = message.OpenRead();
        uint uid = box.Append(content, flags, DateTimeOffset.Now);
        _log.Info("delivered {0} from <{1}> to {2} {3} (UID {4}, {5} bytes)",
            message.Header.GetValue("Message-ID")?.Trim() ?? "a message without Message-ID", message.Sender ?? "", user.Name, name, uid, message.Length);
        return DeliveryOutcome.Saved(name);
    }

    /// <summary>The mailbox as APPEND opens it; a folder that does not exist yet is created first (INBOX makes itself).</summary>
    private static IMailbox OpenOrCreate(IMailStore store, string name)
    {
        try
        {
            return store.OpenForAppend(name);
        }
        catch (StorageException e) when (e.Error == StorageError.NotFound)
        {
            try
            {
                store.Create(name);
            }
            catch (StorageException again) when (again.Error == StorageError.AlreadyExists)
            {
                // Made at the same moment by another delivery or session.
            }

            return store.OpenForAppend(name);
        }
    }

    private bool IsQuarantined(IncomingMessage message)
    {
        if (_settings.Filter.QuarantineHeader is not { } marker)
        {
            return false;
        }

        int colon = marker.IndexOf(':');
        string name = marker[..colon].Trim();
        string value = marker[(colon + 1)..].Trim();
        return message.Header.Fields.Any(field => field.HasColon
            && string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase)
            && string.Equals(field.Value.Trim(), value, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The mailbox with the \Junk special use (listed, or configured), else a new "Junk" made with it.</summary>
    private string JunkFolder(IMailStore store)
    {
        var listed = store.List("", "*").FirstOrDefault(info => HasJunkUse(info.SpecialUse));
        if (listed is not null)
        {
            return listed.Name;
        }

        var configured = _settings.SpecialUse.FirstOrDefault(pair => HasJunkUse(pair.Value)).Key;
        if (configured is not null)
        {
            return configured;
        }

        try
        {
            store.Create("Junk", [JunkUse]);
        }
        catch (StorageException e) when (e.Error == StorageError.AlreadyExists)
        {
        }

        return "Junk";
    }

    private static bool HasJunkUse(string? uses) =>
        uses is not null && uses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(JunkUse, StringComparer.OrdinalIgnoreCase);

    /// <summary>The user's own filter command line (first line of `user-command-file` in the home), else the global one.</summary>
    private string? FilterCommand(UserInfo user)
    {
        if (_settings.Filter.UserCommandFile is { } file)
        {
            string path = Path.Combine(user.Home, file);
            try
            {
                if (File.Exists(path))
                {
                    string? line = File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
                    if (line is not null)
                    {
                        return line;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Warn("cannot read the filter file {0} of {1}: {2}", path, user.Name, e.Message);
            }
        }

        return _settings.Filter.Command;
    }

    private static Dictionary<string, string> Placeholders(UserInfo user, IncomingMessage message, DeliveryRequest request) => new()
    {
        ["account_name"] = user.Name,
        ["sender"] = message.Sender ?? request.Sender ?? "",
        ["source_ip"] = request.SourceIp ?? "",
        ["source_host"] = request.SourceHost ?? "",
        ["msg_id"] = message.Header.GetValue("Message-ID")?.Trim() ?? "",
        ["auth_user"] = request.AuthUser ?? "",
    };
}
