namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// SplitMix64: a tiny pseudo-random generator whose sequence is fixed by its seed on every
/// runtime and platform (System.Random's algorithm is not a documented contract), so the
/// test corpus is the same bytes everywhere.
/// </summary>
internal sealed class CorpusRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>0 ≤ result &lt; <paramref name="max"/>.</summary>
    public int Next(int max) => (int)(NextULong() % (ulong)max);

    /// <summary><paramref name="min"/> ≤ result &lt; <paramref name="max"/>.</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>True with probability <paramref name="percent"/> %.</summary>
    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
