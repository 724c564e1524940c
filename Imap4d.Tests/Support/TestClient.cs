using System.Text;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Config;
using Imap4d.Session;

namespace Imap4d.Tests.Support;

/// <summary>
/// Runs an <see cref="ImapSession"/> over in-memory pipes and plays the client: send lines or
/// raw bytes (optionally one byte per write), read server lines with a timeout.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TestPipe _toServer = new();
    private readonly TestPipe _fromServer = new();
    private readonly List<byte> _pending = [];
    private readonly Task _session;

    public TestClient(ServerSettings? settings = null, IAuthenticator? authenticator = null,
        SessionStart? start = null, bool byteByByte = false, List<string>? transcript = null,
        Func<UserInfo, Imap4d.Storage.IMailStore>? storeFactory = null, Action<string>? onTranscriptLine = null)
    {
        ByteByByte = byteByByte;
        var services = new SessionServices
        {
            Settings = settings ?? new ServerSettings(),
            Authenticator = authenticator ?? new StaticAuthenticator(("demo", "demo")),
            Transcript = transcript is null && onTranscriptLine is null ? null : line =>
            {
                if (transcript is not null)
                {
                    lock (transcript)
                    {
                        transcript.Add(line);
                    }
                }

                onTranscriptLine?.Invoke(line);
            },
            StoreFactory = storeFactory,
        };
        var session = new ImapSession(services, CommandRegistry.CreateDefault(), testMode: start?.TestMode ?? false);
        _session = Task.Run(async () =>
        {
            try
            {
                await session.RunAsync(_toServer, _fromServer, start ?? SessionStart.Normal, CancellationToken.None);
            }
            finally
            {
                _fromServer.Complete();
            }
        });
    }

    public bool ByteByByte { get; }

    /// <summary>Sends bytes as they are (one write per byte in byte-by-byte mode).</summary>
    public void SendRaw(ReadOnlySpan<byte> bytes)
    {
        if (ByteByByte)
        {
            foreach (byte b in bytes)
            {
                _toServer.Write([b]);
            }
        }
        else
        {
            _toServer.Write(bytes);
        }
    }

    public void Send(string line) => SendRaw(Encoding.UTF8.GetBytes(line + "\r\n"));

    /// <summary>Sends a command and returns every line up to and including its tagged response.</summary>
    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        Send(tag + " " + command);
        var lines = new List<string>();
        while (true)
        {
            string line = await ReadLineAsync() ?? throw new EndOfStreamException("server closed during " + command);
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>Closes the client's side: the server sees end of input.</summary>
    public void CloseInput() => _toServer.Complete();

    /// <summary>Reads one CRLF-terminated line; null when the server closed. Literal bytes are returned inline.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var buffer = new byte[4096];
        while (true)
        {
            int lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = _pending.GetRange(0, lf + 1).ToArray();
                _pending.RemoveRange(0, lf + 1);
                Assert.That(line.Length >= 2 && line[^2] == '\r', "server line not ended by CRLF: " + Encoding.UTF8.GetString(line));
                return Encoding.UTF8.GetString(line, 0, line.Length - 2);
            }

            int n;
            try
            {
                n = await _fromServer.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no complete line from the server; pending: " + Encoding.UTF8.GetString(_pending.ToArray()));
            }

            if (n == 0)
            {
                return _pending.Count == 0 ? null : throw new EndOfStreamException("partial line: " + Encoding.UTF8.GetString(_pending.ToArray()));
            }

            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a literal's payload).</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        var buffer = new byte[64 * 1024];
        while (_pending.Count < count)
        {
            int n = await _fromServer.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    /// <summary>True when the server has sent something not read yet.</summary>
    public bool HasUnreadOutput => _pending.Count > 0 || _fromServer.HasData;

    /// <summary>Waits for the session to end (after LOGOUT or a BYE).</summary>
    public async Task<bool> WaitForEndAsync(TimeSpan? timeout = null)
    {
        var done = await Task.WhenAny(_session, Task.Delay(timeout ?? DefaultTimeout));
        if (done == _session)
        {
            await _session;
            return true;
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _toServer.Complete();
        await WaitForEndAsync();
    }
}
