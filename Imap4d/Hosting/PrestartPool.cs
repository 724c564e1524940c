using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// A few session processes started ahead of time (`prestart-children`), so that a connection
/// is served by a process that has already paid the runtime's start-up (~0.1 s) instead of
/// waiting for one. Each serves one connection and exits; the pool is refilled behind it.
/// Children that die before they are ready (a broken configuration, say) make the refill back
/// off, up to <see cref="MaxBackoff"/>, instead of spinning.
/// While no child has been taken for <see cref="IdleAfter"/>, the pool keeps one child instead
/// of `prestart-children` and lets the others exit: an idle daemon then holds one waiting
/// process (each is ~13 MB of resident memory, most of it the binary's pages) instead of two,
/// and the next connection still finds one ready; the first one taken makes the pool fill up
/// to its full size again.
/// </summary>
public sealed class PrestartPool : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long no child must have been taken before the pool keeps only one.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(10);

    private readonly ChildSpawner _spawner;
    private readonly ChildProcesses _children;
    private readonly int _size;
    private readonly ILogger _log;
    private readonly List<PooledChild> _members = [];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private int _failures;
    private Task _filler = Task.CompletedTask;
    private Timer? _shrink;

    /// <summary>When a child was last taken (or the pool started), in <see cref="Environment.TickCount64"/> ms.</summary>
    private long _lastTake = Environment.TickCount64;

    public PrestartPool(ChildSpawner spawner, ChildProcesses children, int size, ILogger log)
    {
        _spawner = spawner;
        _children = children;
        _size = Math.Max(0, size);
        _log = log;
        _children.Exited += OnChildExited;
    }

    /// <summary>Children started and not yet handed a connection (ready or still starting).</summary>
    public int Count
    {
        get
        {
            lock (_members)
            {
                return _members.Count;
            }
        }
    }

    /// <summary>Starts filling the pool in the background.</summary>
    public void Start()
    {
        if (_size > 0)
        {
            Volatile.Write(ref _lastTake, Environment.TickCount64);
            _filler = FillLoopAsync(_stop.Token);
            Wake();
            if (_size > 1)
            {
                _shrink = new Timer(_ => Shrink(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>
    /// Hands <paramref name="connection"/> to a ready child, or else to one still starting (it
    /// finds the connection waiting on its channel when it is ready, sooner than a process
    /// started now would be, and without a third process competing for the CPU); returns its
    /// pid, or null when no child took it (the caller then starts a process for it).
    /// </summary>
    public int? TryHandOff(System.Net.Sockets.Socket connection)
    {
        while (Take() is PooledChild child)
        {
            bool sent = child.TryHandOff(connection);
            child.Dispose();
            if (sent && _children.Promote(child.Pid))
            {
                Wake();
                return child.Pid;
            }

            // Gone before or while we sent: its end of the channel was closed. Try the next one.
        }

        Wake();
        return null;
    }

    /// <summary>
    /// Hands a connection that logged in in the login process, with its state, to a prestarted
    /// child (ready, else starting), or to one started for it when the pool is empty; returns
    /// its pid, or null when none could take it. The descriptor stays the caller's.
    /// </summary>
    public (int Pid, System.Net.Sockets.Socket Channel)? HandOffLogin(int connection, byte[] state)
    {
        while (Take() is PooledChild child)
        {
            bool sent = child.TryHandOffLogin(connection, state);
            if (sent && _children.Promote(child.Pid, ChildKind.User))
            {
                Wake();
                return (child.Pid, child.DetachChannel());
            }

            child.Dispose();
        }

        Wake();
        try
        {
            var started = StartOne();
            if (started.TryHandOffLogin(connection, state) && _children.Promote(started.Pid, ChildKind.User))
            {
                return (started.Pid, started.DetachChannel());
            }

            started.Dispose();
            return null;
        }
        catch (NativeError e)
        {
            _log.Error("cannot start a session process: {0}", e.Message);
            return null;
        }
    }

    /// <summary>
    /// Replaces every idle child by a new one (SIGHUP): children read the configuration when
    /// they start, so new sessions then see the current file.
    /// </summary>
    public void Recycle()
    {
        List<PooledChild> old;
        lock (_members)
        {
            old = [.. _members];
            _members.Clear();
        }

        foreach (var child in old)
        {
            child.Dispose(); // end of file: the child exits
        }

        Interlocked.Exchange(ref _failures, 0);
        Wake();
    }

    /// <summary>Stops refilling and releases every idle child.</summary>
    public void Stop()
    {
        _shrink?.Dispose();
        _stop.Cancel();
        Recycle();
    }

    public void Dispose()
    {
        Stop();
        _children.Exited -= OnChildExited;
        try
        {
            _filler.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>The first ready child, else the one started first; null when the pool is empty.</summary>
    private PooledChild? Take()
    {
        Volatile.Write(ref _lastTake, Environment.TickCount64);
        lock (_members)
        {
            int index = _members.FindIndex(c => c.IsReady);
            if (index < 0 && _members.Count > 0)
            {
                index = 0;
            }

            if (index < 0)
            {
                return null;
            }

            var child = _members[index];
            _members.RemoveAt(index);
            return child;
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private async Task FillLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _wake.WaitAsync(ct).ConfigureAwait(false);
                int failures = Volatile.Read(ref _failures);
                if (failures > 0)
                {
                    var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 10))));
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }

                Fill(ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Fill(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && Count < Target)
        {
            PooledChild child;
            try
            {
                child = StartOne();
            }
            catch (NativeError e)
            {
                _log.Error("cannot prestart a session process: {0}", e.Message);
                Interlocked.Increment(ref _failures);
                Wake();
                return;
            }

            lock (_members)
            {
                _members.Add(child);
            }

            _ = WatchAsync(child, ct);
        }
    }

    /// <summary>The children the pool keeps now: all of them while busy, one once idle.</summary>
    private int Target => Environment.TickCount64 - Volatile.Read(ref _lastTake) < IdleAfter.TotalMilliseconds ? _size : Math.Min(_size, 1);

    /// <summary>Lets the children beyond <see cref="Target"/> exit (the newest first: the oldest is ready).</summary>
    private void Shrink()
    {
        List<PooledChild> extra = [];
        lock (_members)
        {
            int target = Target;
            while (_members.Count > target)
            {
                extra.Add(_members[^1]);
                _members.RemoveAt(_members.Count - 1);
            }
        }

        foreach (var child in extra)
        {
            _log.Debug("prestarted child {0} released: no connection for {1} s", child.Pid, IdleAfter.TotalSeconds);
            child.Dispose(); // end of file: the child exits
        }
    }

    private PooledChild StartOne()
    {
        var (ours, theirs) = FileDescriptors.CreateSocketPair();
        int pid;
        try
        {
            pid = _spawner.SpawnPooled(theirs);
        }
        catch
        {
            FileDescriptors.Close(ours);
            throw;
        }
        finally
        {
            FileDescriptors.Close(theirs);
        }

        _children.Add(pid, ChildKind.Pooled);
        return new PooledChild(pid, ours);
    }

    /// <summary>Waits for the child to be ready; a child that ends first is dropped and counted as a failure.</summary>
    private async Task WatchAsync(PooledChild child, CancellationToken ct)
    {
        if (await child.WaitReadyAsync(ct).ConfigureAwait(false))
        {
            Interlocked.Exchange(ref _failures, 0);
            _log.Debug("prestarted child {0} ready", child.Pid);
            return;
        }

        if (Remove(child) && !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failures);
            _log.Warn("prestarted child {0} ended before it was ready", child.Pid);
            Wake();
        }
    }

    /// <summary>A ready child that ends while idle (killed, say) leaves the pool; a new one replaces it.</summary>
    private void OnChildExited(int pid, ChildKind kind, ChildExit exit)
    {
        if (kind != ChildKind.Pooled)
        {
            return;
        }

        PooledChild? child;
        lock (_members)
        {
            child = _members.FirstOrDefault(c => c.Pid == pid);
        }

        if (child is not null && Remove(child))
        {
            Wake();
        }
    }

    private bool Remove(PooledChild child)
    {
        bool removed;
        lock (_members)
        {
            removed = _members.Remove(child);
        }

        child.Dispose();
        return removed;
    }
}
