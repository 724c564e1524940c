using System.Runtime.InteropServices;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's children and their reaping. The .NET runtime reaps only the children it
/// started through <see cref="System.Diagnostics.Process"/> (unless SIGCHLD was ignored when
/// it started, then it reaps all), so ours would stay zombies: a reaper thread calls
/// waitpid(pid, WNOHANG) on each pid we own when SIGCHLD arrives, and once a second in case
/// a signal was merged or missed. waitpid on our own unreaped pid cannot hit another process:
/// the pid is not reused before we reap it.
/// </summary>
public sealed class ChildProcesses : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<int, ChildKind> _children = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly ILogger _log;
    private readonly Thread _reaper;
    private readonly PosixSignalRegistration _sigchld;
    private volatile bool _disposed;

    public ChildProcesses(ILogger log)
    {
        _log = log;
        _sigchld = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => _wake.Set());
        _reaper = new Thread(ReapLoop) { IsBackground = true, Name = "imap4d reaper" };
        _reaper.Start();
    }

    /// <summary>Raised on the reaper thread when a child has ended and was reaped.</summary>
    public event Action<int, ChildKind, ChildExit>? Exited;

    /// <summary>Children serving a connection.</summary>
    public int SessionCount
    {
        get
        {
            lock (_children)
            {
                return _children.Values.Count(k => k == ChildKind.Session);
            }
        }
    }

    /// <summary>All children not yet reaped.</summary>
    public int Count
    {
        get
        {
            lock (_children)
            {
                return _children.Count;
            }
        }
    }

    /// <summary>The pids of the children not yet reaped, for tests and logs.</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_children)
            {
                return [.. _children.Keys];
            }
        }
    }

    /// <summary>Records a child just started; a sweep follows in case it has already ended.</summary>
    public void Add(int pid, ChildKind kind)
    {
        lock (_children)
        {
            _children[pid] = kind;
        }

        _wake.Set();
    }

    /// <summary>Marks a pooled child as serving a connection; false if it has already been reaped.</summary>
    public bool Promote(int pid) => Promote(pid, ChildKind.Session);

    /// <summary>Marks a pooled child as doing <paramref name="kind"/>; false if it has already been reaped.</summary>
    public bool Promote(int pid, ChildKind kind)
    {
        lock (_children)
        {
            if (!_children.ContainsKey(pid))
            {
                return false;
            }

            _children[pid] = kind;
            return true;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to every child.</summary>
    public void SignalAll(int signal)
    {
        foreach (int pid in Pids)
        {
            ProcessControl.Signal(pid, signal);
        }
    }

    /// <summary>Waits until every child has been reaped, or the timeout; true if none is left.</summary>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count > 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            _wake.Set();
            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        _sigchld.Dispose();
        _wake.Set();
        _reaper.Join(TimeSpan.FromSeconds(5));
        _wake.Dispose();
    }

    private void ReapLoop()
    {
        while (!_disposed)
        {
            _wake.WaitOne(SweepInterval);
            Sweep();
        }
    }

    private void Sweep()
    {
        List<(int Pid, ChildKind Kind, ChildExit Exit)> ended = [];
        lock (_children)
        {
            foreach (var (pid, kind) in _children)
            {
                if (ProcessControl.TryReap(pid) is ChildExit exit)
                {
                    ended.Add((pid, kind, exit));
                }
            }

            foreach (var (pid, _, _) in ended)
            {
                _children.Remove(pid);
            }
        }

        foreach (var (pid, kind, exit) in ended)
        {
            if (exit.Signal is int signal && signal != ProcessControl.SigTerm)
            {
                _log.Warn("child {0} killed by signal {1}", pid, signal);
            }
            else
            {
                _log.Debug("child {0} ended: {1}", pid, exit);
            }

            try
            {
                Exited?.Invoke(pid, kind, exit);
            }
            catch (Exception e)
            {
                _log.Error(e, "handling the end of child {0}", pid);
            }
        }
    }
}
