using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Auth.Preauth;

/// <summary>The RFC 1413 exchange: connect to the client's ident server, ask `CPORT , SPORT`, read one line.</summary>
public static class IdentQuery
{
    /// <summary>
    /// The reply line (without line end). Throws <see cref="IOException"/> for connection
    /// failures, an over-long line or the timeout; <see cref="OperationCanceledException"/> only for <paramref name="ct"/>.
    /// </summary>
    public static async Task<string> AskAsync(IPEndPoint identServer, int clientPort, int serverPort, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(identServer.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(identServer, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"{clientPort} , {serverPort}\r\n"), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var line = new List<byte>();
            var buffer = new byte[512];
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                int lf = Array.IndexOf(buffer, (byte)'\n', 0, n);
                line.AddRange(buffer.AsSpan(0, lf < 0 ? n : lf).ToArray());
                if (line.Count > IdentAnswer.MaxLength)
                {
                    throw new IOException("ident reply longer than 1000 bytes");
                }

                if (lf >= 0 || n == 0)
                {
                    return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new IOException($"no ident reply within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }
}
