namespace Imap4d.Hosting;

/// <summary>
/// The unauthenticated connections of the login process, oldest first, and their limit
/// (`max-login-connections`): a new connection over the limit closes the oldest one that is
/// not in the middle of a login (its client gets "* BYE"), so that idle or slow strangers can
/// delay a real user's connection but never lock it out.
/// </summary>
public sealed class PreLoginConnections
{
    public const string EvictedText = "Too many unauthenticated connections";

    private readonly int _limit;
    private readonly LinkedList<PreLoginConnection> _open = new();

    public PreLoginConnections(int limit) => _limit = Math.Max(1, limit);

    public int Count
    {
        get
        {
            lock (_open)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Registers a new connection; returns the one evicted to make room, if any (already cancelled).</summary>
    public PreLoginConnection? Add(PreLoginConnection connection)
    {
        PreLoginConnection? evicted = null;
        lock (_open)
        {
            if (_open.Count >= _limit)
            {
                for (var node = _open.First; node is not null; node = node.Next)
                {
                    if (!node.Value.LoggingIn)
                    {
                        evicted = node.Value;
                        _open.Remove(node);
                        break;
                    }
                }
            }

            connection.Node = _open.AddLast(connection);
        }

        evicted?.Evict();
        return evicted;
    }

    public void Remove(PreLoginConnection connection)
    {
        lock (_open)
        {
            if (connection.Node is { List: not null } node)
            {
                _open.Remove(node);
            }

            connection.Node = null;
        }
    }
}

/// <summary>One unauthenticated connection as <see cref="PreLoginConnections"/> tracks it.</summary>
public sealed class PreLoginConnection(CancellationTokenSource cancel, string client)
{
    internal LinkedListNode<PreLoginConnection>? Node { get; set; }

    public string Client => client;

    /// <summary>Its credentials are with the daemon: it is not evicted until the answer comes.</summary>
    public volatile bool LoggingIn;

    /// <summary>The session, once the connection checks passed; it says BYE with <see cref="PreLoginConnections.EvictedText"/>.</summary>
    public Session.ImapSession? Session { get; set; }

    internal void Evict()
    {
        if (Session is { } session)
        {
            session.CancelText = PreLoginConnections.EvictedText;
        }

        try
        {
            cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
