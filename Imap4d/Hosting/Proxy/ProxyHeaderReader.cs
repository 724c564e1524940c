namespace Imap4d.Hosting.Proxy;

/// <summary>
/// Reads a PROXY protocol header, v1 or v2, from the start of a connection. Reads exactly the
/// header's bytes and not one more, so the IMAP session finds the stream where the client's
/// first command begins. A malformed, truncated, slow or oversized header throws
/// <see cref="ProxyHeaderException"/> (never anything else but cancellation by the caller).
/// </summary>
public static class ProxyHeaderReader
{
    /// <summary>Both forms are at least this long (v2 signature; `PROXY UNKNOWN\r\n` is 15), so this much is always read first.</summary>
    private const int Probe = 12;

    /// <param name="timeout">Time allowed for the whole header.</param>
    /// <param name="ct">Cancels the read (server shutdown); throws <see cref="OperationCanceledException"/>.</param>
    public static async Task<ProxyHeader> ReadAsync(Stream stream, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            return await ReadCoreAsync(stream, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProxyHeaderException($"no complete PROXY header within {timeout.TotalSeconds:0.#} s");
        }
        catch (EndOfStreamException e)
        {
            throw new ProxyHeaderException("connection closed inside the PROXY header", e);
        }
        catch (IOException e)
        {
            throw new ProxyHeaderException("reading the PROXY header failed: " + e.Message, e);
        }
    }

    private static async Task<ProxyHeader> ReadCoreAsync(Stream stream, CancellationToken ct)
    {
        var probe = new byte[ProxyV2Parser.FixedLength];
        await stream.ReadExactlyAsync(probe.AsMemory(0, Probe), ct).ConfigureAwait(false);
        if (probe.AsSpan(0, Probe).SequenceEqual(ProxyV2Parser.Signature))
        {
            await stream.ReadExactlyAsync(probe.AsMemory(Probe, ProxyV2Parser.FixedLength - Probe), ct).ConfigureAwait(false);
            var header = new byte[ProxyV2Parser.FixedLength + ProxyV2Parser.VariableLength(probe)];
            probe.CopyTo(header, 0);
            await stream.ReadExactlyAsync(header.AsMemory(ProxyV2Parser.FixedLength), ct).ConfigureAwait(false);
            return ProxyV2Parser.Parse(header);
        }

        if (!probe.AsSpan(0, ProxyV1Parser.Prefix.Length).SequenceEqual(ProxyV1Parser.Prefix))
        {
            throw new ProxyHeaderException("connection does not start with a PROXY protocol header");
        }

        if (probe.AsSpan(0, Probe).Contains((byte)'\n'))
        {
            throw new ProxyHeaderException("PROXY v1 header too short");
        }

        // v1: one byte at a time up to the LF, so nothing after the header is consumed.
        var line = new byte[ProxyV1Parser.MaxLength];
        probe.AsSpan(0, Probe).CopyTo(line);
        int length = Probe;
        while (line[length - 1] != (byte)'\n')
        {
            if (length == line.Length)
            {
                throw new ProxyHeaderException("PROXY v1 header longer than 107 bytes");
            }

            await stream.ReadExactlyAsync(line.AsMemory(length, 1), ct).ConfigureAwait(false);
            length++;
        }

        return ProxyV1Parser.Parse(line.AsSpan(0, length));
    }
}
