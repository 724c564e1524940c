using System.Collections.Concurrent;

namespace Imap4d.Storage.Locking;

/// <summary>
/// Mutual exclusion between sessions of this process on one file: fcntl locks do not exclude
/// each other inside a process, and dotlocks may be skipped on unwritable directories.
/// </summary>
public sealed class ProcessLock : IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Semaphores = new(StringComparer.Ordinal);

    private SemaphoreSlim? _held;

    private ProcessLock(SemaphoreSlim held)
    {
        _held = held;
    }

    public static ProcessLock Acquire(string path, LockingOptions options)
    {
        var semaphore = Semaphores.GetOrAdd(Path.GetFullPath(path), _ => new SemaphoreSlim(1, 1));
        // Only sessions of this process take it, each for one short operation: wait as for our own sessions.
        if (!semaphore.Wait(LockWait.OwnLimit(options)))
        {
            throw new StorageException(StorageError.InUse, "Mailbox is locked by another session", $"process lock {path}");
        }

        return new ProcessLock(semaphore);
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _held, null)?.Release();
    }
}
