using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Protocol;

namespace Imap4d.Session;

/// <summary>Everything a running command may use: its tag, the wire, the session's data and services.</summary>
public sealed class CommandContext
{
    private readonly ImapSession _session;

    internal CommandContext(ImapSession session, string tag, string commandName)
    {
        _session = session;
        Tag = tag;
        CommandName = commandName;
    }

    public string Tag { get; }

    /// <summary>The command as the client named it, upper case ("UID FETCH").</summary>
    public string CommandName { get; }

    public ResponseWriter Writer => _session.Writer;

    public SessionData Session => _session.Data;

    public SessionServices Services => _session.Services;

    public ServerSettings Settings => _session.Services.Settings;

    /// <summary>LOGIN and AUTHENTICATE are refused on this connection now (see <see cref="Commands.LoginPolicy"/>).</summary>
    public bool LoginDisabled => Commands.LoginPolicy.IsDisabled(Settings, Session.TlsActive);

    /// <summary>Set in the login process: LOGIN and AUTHENTICATE send the credentials to the daemon instead of checking them.</summary>
    public ILoginForwarder? LoginForwarder => _session.LoginForwarder;

    /// <summary>The bytes the client sent beyond the current command, already read (valid until the next read).</summary>
    public ReadOnlySpan<byte> PendingInput => _session.Reader.PendingInput;

    /// <summary>The stream the session reads from now (the TLS stream once TLS is on).</summary>
    public Stream Transport => _session.Transport;

    /// <summary>The client has sent bytes beyond the current command (it pipelined).</summary>
    public bool HasPendingInput => _session.HasPendingInput;

    /// <summary>What STARTTLS would use now; null when it is not available (TLS off or unusable, or already on).</summary>
    public IO.TlsServerContext? StartTlsContext => _session.StartTlsContext;

    /// <summary>After the tagged OK: the TLS handshake, then the session goes on over TLS (or ends, logged, if it fails).</summary>
    public ValueTask StartTlsAsync(IO.TlsServerContext tls, CancellationToken ct) => _session.StartTlsAsync(tls, ct);

    /// <summary>COMPRESS=DEFLATE is on for this connection.</summary>
    public bool CompressionActive => _session.CompressionActive;

    /// <summary>After COMPRESS's tagged OK: both directions go through deflate from the next byte on.</summary>
    public void StartCompression() => _session.StartCompression();

    /// <summary>Sends the selected mailbox's pending updates now (EXPUNGE too when <paramref name="allowExpunge"/>).</summary>
    public void PollSelected(bool allowExpunge) => _session.PollSelected(allowExpunge);

    /// <summary>Writes the selected mailbox back (a failure is logged) and closes it.</summary>
    public void CloseSelected() => _session.CloseSelected();

    /// <summary>The capability list for the current state.</summary>
    public IReadOnlyList<string> Capabilities() => _session.Capabilities();

    /// <summary>Sends "+ text" and reads the client's reply line (AUTHENTICATE); null at end of input.</summary>
    public async ValueTask<string?> ContinueAsync(string text, CancellationToken ct)
    {
        Writer.Continue(text);
        await Writer.FlushAsync(ct).ConfigureAwait(false);
        string? line = await _session.Reader.ReadRawLineAsync(ct).ConfigureAwait(false);
        _session.TranscriptClient(line is null ? null : "<response hidden>");
        return line;
    }

    /// <summary>Reads one raw client line (IDLE's DONE) without sending anything; null at end of input.</summary>
    public ValueTask<string?> ReadLineAsync(CancellationToken ct) => _session.Reader.ReadRawLineAsync(ct);

    /// <summary>
    /// Completes a successful authentication: runs the login hook, records the user and logs it.
    /// Returns null on success or the text of a NO.
    /// </summary>
    public ValueTask<string?> CompleteLoginAsync(UserInfo user, string mechanism, CancellationToken ct) =>
        _session.CompleteLoginAsync(user, mechanism, ct);
}
