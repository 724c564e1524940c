using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>
/// An RFC 1413 server on 127.0.0.1 and a free port: reads the `CPORT , SPORT` query and
/// answers with whatever <c>answer</c> returns for the two ports (null: close without a word).
/// Records the queries it got.
/// </summary>
public sealed class FakeIdentServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<int, int, string?> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _queries = [];

    public FakeIdentServer(Func<int, int, string?> answer)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<string> Queries
    {
        get
        {
            lock (_queries)
            {
                return _queries.ToList();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                        string query = await reader.ReadLineAsync(_stop.Token) ?? "";
                        lock (_queries)
                        {
                            _queries.Add(query);
                        }

                        var ports = query.Split(',');
                        string? answer = ports.Length == 2 && int.TryParse(ports[0].Trim(), out int clientPort) && int.TryParse(ports[1].Trim(), out int serverPort)
                            ? _answer(clientPort, serverPort)
                            : null;
                        if (answer is not null)
                        {
                            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(answer + "\r\n"), _stop.Token);
                        }
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
    }
}
