using System.Buffers;

namespace Imap4d.IO;

/// <summary>
/// Scratch buffers too large for the small-object heap (a FETCH cache's 1 MB scan block, a mbox
/// index's record chunks), lent from a pool that <see cref="Release"/> empties. The shared
/// <see cref="ArrayPool{T}.Shared"/> keeps what it lent, per thread and per core, for a minute
/// or more after its last use: measured, a user process lingering for its user's next login
/// after the benchmark suite still held 3.7 MB of such blocks (its whole large-object heap)
/// after the compacting collection meant to make it as small as a fresh one.
/// </summary>
public static class LargeBuffers
{
    /// <summary>The largest length pooled; a larger buffer is allocated and dropped after use.</summary>
    public const int MaxPooledLength = 1024 * 1024;

    /// <summary>Buffers of one size kept at once (a user process serves up to ten sessions at a time by default).</summary>
    private const int PerSize = 16;

    private static ArrayPool<byte> _pool = ArrayPool<byte>.Create(MaxPooledLength, PerSize);

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes (maybe longer); give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int minimumLength) => Volatile.Read(ref _pool).Rent(minimumLength);

    /// <summary>Gives back a buffer from <see cref="Rent"/> (also one rented before a <see cref="Release"/>).</summary>
    public static void Return(byte[] buffer) => Volatile.Read(ref _pool).Return(buffer);

    /// <summary>Forgets every buffer kept for reuse (the next collection frees them); buffers lent out stay valid.</summary>
    public static void Release() => Volatile.Write(ref _pool, ArrayPool<byte>.Create(MaxPooledLength, PerSize));
}
