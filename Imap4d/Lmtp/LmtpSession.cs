using System.Globalization;
using System.Text;
using Imap4d.Auth;
using Imap4d.Delivery;
using NLog;

namespace Imap4d.Lmtp;

/// <summary>
/// One LMTP (RFC 2033) conversation: LHLO, MAIL, RCPT, DATA with a reply per accepted recipient
/// after the message, RSET, NOOP, QUIT, with the PIPELINING, ENHANCEDSTATUSCODES (RFC 2034),
/// 8BITMIME and SIZE (RFC 1870) extensions. Lines are read in bounded pieces and the message is
/// spooled (to disk beyond a megabyte), so no input makes the session hold unbounded memory;
/// bad commands get 5xx replies and too many of them end the conversation with 421.
/// </summary>
public sealed class LmtpSession
{
    /// <summary>Longest command line (RFC 5321 §4.5.3.1.4 says 512; a little slack for parameters).</summary>
    public const int MaxCommandLine = 2048;

    /// <summary>The most recipients of one message (RFC 5321 asks for at least 100).</summary>
    public const int MaxRecipients = 1000;

    private const int MaxErrors = 20;
    private const int DataPiece = 64 * 1024;

    private readonly IRecipientDelivery _delivery;
    private readonly ILogger _log;
    private readonly string _hostName;
    private readonly long _maxSize;
    private readonly TimeSpan _idleTimeout;
    private readonly string? _clientAddress;

    private string? _clientName;
    private string? _sender;
    private readonly List<(string Address, UserInfo User)> _recipients = [];
    private int _errors;

    public LmtpSession(IRecipientDelivery delivery, ILogger log, string hostName, long maxSize, TimeSpan idleTimeout, string? clientAddress)
    {
        _delivery = delivery;
        _log = log;
        _hostName = hostName;
        _maxSize = maxSize;
        _idleTimeout = idleTimeout;
        _clientAddress = clientAddress;
    }

    public async Task RunAsync(Stream input, Stream output, CancellationToken ct)
    {
        var writer = new BufferedStream(output, 16 * 1024);
        var reader = new LmtpLineReader(input, Math.Max(MaxCommandLine, DataPiece), () => writer.FlushAsync(ct));
        await ReplyAsync(writer, $"220 {_hostName} LMTP imap4d ready").ConfigureAwait(false);
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (_idleTimeout > TimeSpan.Zero)
                {
                    idle.CancelAfter(_idleTimeout);
                }

                ReadOnlyMemory<byte> line;
                try
                {
                    line = await reader.ReadAsync(idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await ReplyAsync(writer, "421 4.4.2 Idle for too long, closing").ConfigureAwait(false);
                    break;
                }

                if (line.IsEmpty)
                {
                    break;
                }

                if (line.Span[^1] != '\n' || line.Length > MaxCommandLine)
                {
                    await SkipRestOfLineAsync(reader, line, ct).ConfigureAwait(false);
                    if (!await ErrorAsync(writer, "500 5.5.2 Line too long").ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                string text = Encoding.UTF8.GetString(line.Span).TrimEnd('\r', '\n');
                if (!await HandleAsync(text, reader, writer, ct).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The client went away.
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await TryReplyAsync(writer, "421 4.3.2 Server shutting down").ConfigureAwait(false);
        }
        finally
        {
            await TryFlushAsync(writer).ConfigureAwait(false);
        }
    }

    /// <summary>Handles one command; false ends the session.</summary>
    private async Task<bool> HandleAsync(string line, LmtpLineReader reader, BufferedStream writer, CancellationToken ct)
    {
        int space = line.IndexOf(' ');
        string verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
        string argument = space < 0 ? "" : line[(space + 1)..].Trim();
        switch (verb)
        {
            case "LHLO":
                if (argument.Length == 0)
                {
                    return await ErrorAsync(writer, "501 5.5.4 LHLO needs a domain").ConfigureAwait(false);
                }

                _clientName = argument;
                Reset();
                await ReplyAsync(writer, $"250-{_hostName}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE {_maxSize.ToString(CultureInfo.InvariantCulture)}").ConfigureAwait(false);
                return true;
            case "HELO" or "EHLO":
                return await ErrorAsync(writer, "500 5.5.1 This is LMTP: use LHLO").ConfigureAwait(false);
            case "MAIL":
                return await MailAsync(argument, writer).ConfigureAwait(false);
            case "RCPT":
                return await RcptAsync(argument, writer).ConfigureAwait(false);
            case "DATA":
                return await DataAsync(argument, reader, writer, ct).ConfigureAwait(false);
            case "RSET":
                Reset();
                await ReplyAsync(writer, "250 2.0.0 OK").ConfigureAwait(false);
                return true;
            case "NOOP":
                await ReplyAsync(writer, "250 2.0.0 OK").ConfigureAwait(false);
                return true;
            case "VRFY":
                await ReplyAsync(writer, "252 2.5.2 Cannot VRFY; send the message and see").ConfigureAwait(false);
                return true;
            case "QUIT":
                await ReplyAsync(writer, $"221 2.0.0 {_hostName} closing connection").ConfigureAwait(false);
                return false;
            default:
                return await ErrorAsync(writer, "500 5.5.2 Command not recognized").ConfigureAwait(false);
        }
    }

    private async Task<bool> MailAsync(string argument, BufferedStream writer)
    {
        if (_clientName is null)
        {
            return await ErrorAsync(writer, "503 5.5.1 Send LHLO first").ConfigureAwait(false);
        }

        if (_sender is not null)
        {
            return await ErrorAsync(writer, "503 5.5.1 Nested MAIL command").ConfigureAwait(false);
        }

        if (!TryPath(argument, "FROM:", out string address, out string parameters))
        {
            return await ErrorAsync(writer, "501 5.5.4 Syntax: MAIL FROM:<address>").ConfigureAwait(false);
        }

        foreach (string parameter in parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = parameter.IndexOf('=');
            string key = (equals < 0 ? parameter : parameter[..equals]).ToUpperInvariant();
            string value = equals < 0 ? "" : parameter[(equals + 1)..];
            switch (key)
            {
                case "SIZE":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
                    {
                        return await ErrorAsync(writer, "501 5.5.4 Bad SIZE parameter").ConfigureAwait(false);
                    }

                    if (size > _maxSize)
                    {
                        return await ErrorAsync(writer, "552 5.3.4 Message size exceeds fixed maximum message size").ConfigureAwait(false);
                    }

                    break;
                case "BODY" when value.Equals("7BIT", StringComparison.OrdinalIgnoreCase) || value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase):
                    break;
                default:
                    return await ErrorAsync(writer, "555 5.5.4 Unsupported MAIL parameter").ConfigureAwait(false);
            }
        }

        _sender = address;
        await ReplyAsync(writer, "250 2.1.0 Sender OK").ConfigureAwait(false);
        return true;
    }

    private async Task<bool> RcptAsync(string argument, BufferedStream writer)
    {
        if (_sender is null)
        {
            return await ErrorAsync(writer, "503 5.5.1 Send MAIL first").ConfigureAwait(false);
        }

        if (!TryPath(argument, "TO:", out string address, out string parameters) || address.Length == 0 || parameters.Length > 0)
        {
            return await ErrorAsync(writer, "501 5.5.4 Syntax: RCPT TO:<address>").ConfigureAwait(false);
        }

        if (_recipients.Count >= MaxRecipients)
        {
            await ReplyAsync(writer, "452 4.5.3 Too many recipients").ConfigureAwait(false);
            return true;
        }

        var user = _delivery.Resolve(address);
        if (user is null)
        {
            _log.Info("LMTP: unknown recipient {0}", address);
            await ReplyAsync(writer, $"550 5.1.1 <{address}> User unknown").ConfigureAwait(false);
            return true;
        }

        _recipients.Add((address, user));
        await ReplyAsync(writer, $"250 2.1.5 <{address}> Recipient OK").ConfigureAwait(false);
        return true;
    }

    private async Task<bool> DataAsync(string argument, LmtpLineReader reader, BufferedStream writer, CancellationToken ct)
    {
        if (argument.Length > 0)
        {
            return await ErrorAsync(writer, "501 5.5.4 DATA takes no argument").ConfigureAwait(false);
        }

        if (_sender is null)
        {
            return await ErrorAsync(writer, "503 5.5.1 Send MAIL first").ConfigureAwait(false);
        }

        if (_recipients.Count == 0)
        {
            return await ErrorAsync(writer, "503 5.5.1 No valid recipients").ConfigureAwait(false);
        }

        await ReplyAsync(writer, "354 Start mail input; end with <CRLF>.<CRLF>").ConfigureAwait(false);
        using var builder = new IncomingMessage.Builder(_sender, _maxSize);
        bool lineStart = true;
        while (true)
        {
            var piece = await reader.ReadAsync(ct).ConfigureAwait(false);
            if (piece.IsEmpty)
            {
                return false; // the client left in the middle of the message: nothing is delivered
            }

            var span = piece.Span;
            bool endsLine = span[^1] == '\n';
            if (lineStart && span[0] == '.')
            {
                if (endsLine && (span.Length == 2 || (span.Length == 3 && span[1] == '\r')))
                {
                    break;
                }

                span = span[1..]; // dot-stuffing (RFC 5321 §4.5.2)
            }

            builder.Write(span);
            lineStart = endsLine;
        }

        var recipients = _recipients.ToList();
        string sender = _sender;
        Reset();
        if (builder.TooBig)
        {
            foreach (var (address, _) in recipients)
            {
                await ReplyAsync(writer, $"552 5.3.4 <{address}> Message too big").ConfigureAwait(false);
            }

            return true;
        }

        IncomingMessage message;
        try
        {
            message = builder.Finish();
        }
        catch (InvalidDataException e)
        {
            foreach (var (address, _) in recipients)
            {
                await ReplyAsync(writer, $"554 5.6.0 <{address}> {e.Message}").ConfigureAwait(false);
            }

            return true;
        }

        using (message)
        {
            var request = new DeliveryRequest { Sender = sender, SourceIp = _clientAddress, SourceHost = _clientName };
            IReadOnlyList<DeliveryOutcome> outcomes;
            try
            {
                outcomes = await _delivery.DeliverAllAsync(recipients.Select(r => r.User).ToList(), message, request, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _log.Error(e, "LMTP delivery failed");
                outcomes = recipients.Select(_ => new DeliveryOutcome(DeliveryOutcome.TempFail, "internal error")).ToList();
            }

            for (int i = 0; i < recipients.Count; i++)
            {
                await ReplyAsync(writer, outcomes[i].LmtpReply(recipients[i].Address)).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>"FROM:&lt;addr&gt; params": the address without brackets and the parameters after it.</summary>
    private static bool TryPath(string argument, string keyword, out string address, out string parameters)
    {
        address = parameters = "";
        if (!argument.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string rest = argument[keyword.Length..].TrimStart();
        if (!rest.StartsWith('<'))
        {
            return false;
        }

        int close = rest.IndexOf('>');
        if (close < 0)
        {
            return false;
        }

        address = rest[1..close];
        // A source route (@a,@b:user@host) is accepted and ignored (RFC 5321 §4.1.2).
        if (address.StartsWith('@') && address.IndexOf(':') is int colon && colon > 0)
        {
            address = address[(colon + 1)..];
        }

        parameters = rest[(close + 1)..].Trim();
        return !address.Any(c => char.IsControl(c) || c is '<' or '>' or ' ');
    }

    private void Reset()
    {
        _sender = null;
        _recipients.Clear();
    }

    /// <summary>Counts a bad command: false (after 421) when there were too many.</summary>
    private async Task<bool> ErrorAsync(BufferedStream writer, string reply)
    {
        if (++_errors > MaxErrors)
        {
            await ReplyAsync(writer, "421 4.7.0 Too many errors, closing connection").ConfigureAwait(false);
            return false;
        }

        await ReplyAsync(writer, reply).ConfigureAwait(false);
        return true;
    }

    private static async Task SkipRestOfLineAsync(LmtpLineReader reader, ReadOnlyMemory<byte> piece, CancellationToken ct)
    {
        while (!piece.IsEmpty && piece.Span[^1] != '\n')
        {
            piece = await reader.ReadAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task ReplyAsync(BufferedStream writer, string reply) =>
        await writer.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n")).ConfigureAwait(false);

    private static async Task TryReplyAsync(BufferedStream writer, string reply)
    {
        try
        {
            await ReplyAsync(writer, reply).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private static async Task TryFlushAsync(BufferedStream writer)
    {
        try
        {
            await writer.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
