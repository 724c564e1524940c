namespace Imap4d.Mime;

/// <summary>
/// The scratch space of one <see cref="MimeScanContext"/>: kept per thread and reused by the
/// next scan instead of allocating about 140 KB per message (two 64 KiB line buffers and the
/// header copy). A scan is synchronous, so a thread runs one at a time.
/// </summary>
internal sealed class ScanBuffers
{
    public const int ReadSize = 64 * 1024;
    public const int HeaderLineKeep = 64 * 1024;
    public const int BodyLineKeep = 512;

    /// <summary>A header copy that grew past this (a huge header) is not kept for the next scan.</summary>
    private const int KeepHeaderCapacity = 1024 * 1024;

    [ThreadStatic]
    private static ScanBuffers? _spare;

    public byte[] Read { get; } = new byte[ReadSize];

    public byte[] HeaderLine { get; } = new byte[HeaderLineKeep];

    public byte[] BodyLine { get; } = new byte[BodyLineKeep];

    public MemoryStream Header { get; private set; } = new();

    public List<byte[]> Boundaries { get; } = [];

    /// <summary>This thread's spare set, or a new one when it is in use or there is none yet.</summary>
    public static ScanBuffers Take()
    {
        var buffers = _spare ?? new ScanBuffers();
        _spare = null;
        return buffers;
    }

    /// <summary>Gives the set back for the next scan on this thread.</summary>
    public void Return()
    {
        if (Header.Capacity > KeepHeaderCapacity)
        {
            Header = new MemoryStream();
        }

        Header.SetLength(0);
        Boundaries.Clear();
        _spare = this;
    }
}
