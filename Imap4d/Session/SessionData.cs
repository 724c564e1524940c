using Imap4d.Auth;
using Imap4d.Storage;

namespace Imap4d.Session;

/// <summary>The mutable state of one session that commands read and change.</summary>
public sealed class SessionData
{
    public SessionState State { get; set; } = SessionState.NotAuthenticated;

    /// <summary>The authenticated user; null before authentication.</summary>
    public UserInfo? User { get; set; }

    /// <summary>The user's mail store; set when the session becomes authenticated.</summary>
    public IMailStore? Store { get; set; }

    /// <summary>The selected mailbox in the Selected state.</summary>
    public SelectedMailbox? Selected { get; set; }

    /// <summary>Extensions turned on with ENABLE (RFC 5161), upper case.</summary>
    /// <summary>RFC 5255 COMPARATOR: the collation SORT and THREAD use in this session.</summary>
    public Commands.Sort.Collation Comparator { get; set; } = Commands.Sort.Collation.Default;

    public HashSet<string> Enabled { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What the client said about itself in ID, for the log.</summary>
    public IReadOnlyDictionary<string, string?>? ClientId { get; set; }

    public ConnectionInfo Connection { get; init; } = ConnectionInfo.Unknown;

    /// <summary>The connection is encrypted: implicit TLS, or after STARTTLS.</summary>
    public bool TlsActive { get; set; }

    public bool TestMode { get; init; }

    private ChangeWatcher? _watcher;
    private bool _watcherTried;

    /// <summary>The session's inotify watcher, made on first use; null when inotify cannot be used (then IDLE polls).</summary>
    public ChangeWatcher? Watcher
    {
        get
        {
            if (!_watcherTried)
            {
                _watcherTried = true;
                _watcher = ChangeWatcher.TryCreate();
            }

            return _watcher;
        }
    }

    /// <summary>What NOTIFY SET asked for (RFC 5465); null before it and after NOTIFY NONE.</summary>
    internal Commands.Notify.NotifyMonitor? Notify { get; private set; }

    /// <summary>Replaces the NOTIFY monitor, stopping the old one's watches.</summary>
    internal void SetNotify(Commands.Notify.NotifyMonitor? monitor)
    {
        Notify?.Dispose();
        Notify = monitor;
    }

    /// <summary>Releases the watcher's descriptor and thread at the end of the session.</summary>
    public void DisposeWatcher()
    {
        SetNotify(null);
        _watcher?.Dispose();
        _watcher = null;
    }

    /// <summary>The store, which every command allowed after login may rely on.</summary>
    public IMailStore RequireStore() =>
        Store ?? throw new StorageException(StorageError.Temporary, "Mail store not available");

    /// <summary>The selected mailbox, which every Selected-state command may rely on.</summary>
    public SelectedMailbox RequireSelected() =>
        Selected ?? throw new InvalidOperationException("no mailbox selected");

    /// <summary>Closes the selected mailbox (if any) and returns to the Authenticated state.</summary>
    public void Deselect()
    {
        Selected?.Dispose();
        Selected = null;
        if (State == SessionState.Selected)
        {
            State = SessionState.Authenticated;
        }
    }
}
