using System.Net.Security;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.IO;
using Imap4d.Protocol;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Session;

/// <summary>
/// One IMAP connection: greets, reads commands, checks their state, runs them and writes the
/// tagged result (the only place that does), until LOGOUT, end of input, a fatal protocol
/// error or the idle timeout.
/// </summary>
public sealed class ImapSession
{
    private readonly CommandRegistry _commands;
    private int _consecutiveBad;

    // The transport; STARTTLS replaces both with the TLS stream over them.
    private Stream _input = Stream.Null;
    private Stream _output = Stream.Null;

    /// <summary>Sends NOTIFY's events while the session waits for a command (made at the first wait with NOTIFY set).</summary>
    private NotifyPush? _notifyPush;

    /// <summary>COMPRESS=DEFLATE's streams once it is on (disposed when the session ends).</summary>
    private DeflateTransport? _compression;

    public ImapSession(SessionServices services, CommandRegistry commands, ConnectionInfo? endpoints = null, bool testMode = false)
    {
        Services = services;
        _commands = commands;
        Data = new SessionData { Connection = endpoints ?? ConnectionInfo.Unknown, TestMode = testMode };
    }

    public SessionServices Services { get; }

    public SessionData Data { get; }

    internal ResponseWriter Writer { get; private set; } = null!;

    internal CommandReader Reader { get; private set; } = null!;

    /// <summary>In the login process: where LOGIN and AUTHENTICATE send credentials (null: checked here).</summary>
    public ILoginForwarder? LoginForwarder { get; init; }

    /// <summary>The text of the "* BYE" sent when the session is cancelled.</summary>
    public string CancelText { get; set; } = "Server shutting down";

    /// <summary>Set once a login command handed the connection to another process.</summary>
    public bool HandedOff { get; private set; }

    /// <summary>Runs the session to its end. Never throws for client behaviour or I/O errors.</summary>
    public Task RunAsync(Stream input, Stream output, SessionStart start, CancellationToken ct)
    {
        UseStreams(input, output);
        Data.TlsActive = input is SslStream; // implicit TLS (tls-mode connection): the host did the handshake
        return ServeToTheEndAsync(async () =>
        {
            if (await AdmitPeerPreauthAsync(start, ct).ConfigureAwait(false) is not { } admitted)
            {
                Writer.UntaggedStatus("BYE", null, "Preauthentication failed");
                await Writer.FlushAsync(ct).ConfigureAwait(false);
                return;
            }

            Greet(admitted);
            await Writer.FlushAsync(ct).ConfigureAwait(false);
            await CommandLoopAsync(ct).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>
    /// Continues a session that logged in elsewhere (the login process): becomes the user
    /// through the login hook before reading any client byte, writes the login command's tagged
    /// OK with the capabilities, then serves commands, starting with what the client pipelined
    /// (already in front of <paramref name="input"/>). When the switch is refused the client
    /// gets the NO and the connection closes, as nothing else may run in this process.
    /// </summary>
    public Task ResumeAsync(Stream input, Stream output, LoginResumption login, CancellationToken ct)
    {
        UseStreams(input, output);
        Data.TlsActive = login.Tls;
        foreach (string name in login.Enabled)
        {
            Data.Enabled.Add(name);
        }

        if (login.ClientId is { } id)
        {
            Data.ClientId = id.GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);
        }

        return ServeToTheEndAsync(async () =>
        {
            string? refusal = await CompleteLoginAsync(login.User, login.How, ct).ConfigureAwait(false);
            if (refusal is not null)
            {
                Writer.Tagged(login.Tag, "NO", null, refusal);
                Writer.UntaggedStatus("BYE", null, "Cannot serve this account");
                await Writer.FlushAsync(ct).ConfigureAwait(false);
                return;
            }

            Data.State = SessionState.Authenticated;
            Writer.Tagged(login.Tag, "OK", "CAPABILITY " + string.Join(' ', Capabilities()), login.CommandName + " Completed");
            await CommandLoopAsync(ct).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>
    /// Runs a session's body and ends the session the same way whichever way it started: a
    /// shutdown says BYE, a vanished client is only logged, and the mailbox and streams are closed.
    /// </summary>
    private async Task ServeToTheEndAsync(Func<Task> body, CancellationToken ct)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await SayGoodbyeAsync(CancelText).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            Services.Log.Debug("session ended: {0}", e.Message);
        }
        finally
        {
            CloseSelected();
            Data.DisposeWatcher();
            _compression?.Dispose();
            if (!HandedOff)
            {
                Services.Log.Info("session closed for {0}", Data.User?.Name ?? "(not authenticated)");
            }
        }
    }

    private void UseStreams(Stream input, Stream output)
    {
        _input = input;
        _output = output;
        Writer = new ResponseWriter(output, Services.Transcript is null ? null : line => Services.Transcript("S: " + line));
        Reader = new CommandReader(new InputBuffer(input), Services.Settings.Limits, SendLiteralContinuationAsync);
    }

    /// <summary>What STARTTLS would use now; null when it is not available (TLS off or unusable, or already on).</summary>
    internal TlsServerContext? StartTlsContext =>
        Data.TlsActive || Services.Settings.Tls.Mode is not (Config.TlsMode.OnDemand or Config.TlsMode.Required) ? null : Services.Tls;

    /// <summary>True when the client has sent bytes beyond the command being run (it pipelined).</summary>
    internal bool HasPendingInput => Reader.HasPendingInput;

    /// <summary>The stream the session reads from now: the connection, or the TLS stream over it.</summary>
    internal Stream Transport => _input;

    /// <summary>
    /// STARTTLS, once its tagged OK has been flushed: runs the handshake over the transport and
    /// continues over TLS with a new reader and writer, so that no byte read before the handshake
    /// is ever taken as a command (the caller refuses STARTTLS when any is buffered, see
    /// StartTlsCommand). A failed handshake is logged and ends the session, as nothing more can be
    /// said in clear text.
    /// </summary>
    internal async ValueTask StartTlsAsync(TlsServerContext tls, CancellationToken ct)
    {
        var transport = ReferenceEquals(_input, _output) ? _input : new DuplexStream(_input, _output);
        try
        {
            var secure = await tls.AuthenticateAsync(transport, ct).ConfigureAwait(false);
            UseStreams(secure, secure);
            Data.TlsActive = true;
            Services.Log.Info("STARTTLS: {0} negotiated with {1}", TlsServerContext.Describe(secure), Data.Connection.ClientText);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or TimeoutException)
        {
            Services.Log.Warn("STARTTLS: handshake with {0} failed: {1}", Data.Connection.ClientText, TlsServerContext.DescribeFailure(e));
            Data.State = SessionState.Logout;
        }
    }

    internal bool CompressionActive => _compression is not null;

    /// <summary>
    /// COMPRESS, once its tagged OK has been flushed: the session reads and writes through deflate.
    /// What the client sent after COMPRESS and is already buffered is compressed data too, so it is
    /// put in front of the decompressor's input.
    /// </summary>
    internal void StartCompression()
    {
        _compression = DeflateTransport.Start(_input, _output, Reader.PendingInput.ToArray());
        UseStreams(_compression.Input, _compression.Output);
        Services.Log.Debug("COMPRESS=DEFLATE on for {0}", Data.Connection.ClientText);
    }

    /// <summary>Best effort "* BYE" when the server stops; a client that does not read is not waited for.</summary>
    private async Task SayGoodbyeAsync(string text)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            Writer.UntaggedStatus("BYE", null, text);
            await Writer.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Writes back and closes the selected mailbox: at LOGOUT, and when the session ends, however it ends.</summary>
    internal void CloseSelected()
    {
        try
        {
            Data.Selected?.Mailbox.Checkpoint();
        }
        catch (StorageException e)
        {
            Services.Log.Warn("writing back the mailbox failed: {0} ({1})", e.Message, e.Detail ?? "");
        }
        finally
        {
            Data.Deselect();
        }
    }

    internal IReadOnlyList<string> Capabilities()
    {
        var context = new CapabilityContext(Data.State, Services.Settings)
        {
            TlsActive = Data.TlsActive,
            StartTlsOffered = StartTlsContext is not null,
        };
        var list = new List<string> { "IMAP4rev1", Imap4Rev2.Capability, "LITERAL+" };
        foreach (var command in _commands.All)
        {
            foreach (string capability in command.Capabilities(context))
            {
                if (!list.Contains(capability, StringComparer.OrdinalIgnoreCase))
                {
                    list.Add(capability);
                }
            }
        }

        return list;
    }

    internal async ValueTask<string?> CompleteLoginAsync(UserInfo user, string mechanism, CancellationToken ct)
    {
        if (Services.OnAuthenticated is { } hook)
        {
            string? refusal = await hook(user, ct).ConfigureAwait(false);
            if (refusal is not null)
            {
                Services.Log.Warn("login of {0} from {1} refused after authentication: {2}", user.Name, Data.Connection.ClientText, refusal);
                return refusal;
            }
        }

        Data.User = user;
        Data.Store = Services.StoreFactory?.Invoke(user);
        Services.Log.Info("user {0} logged in from {1} ({2})", user.Name, Data.Connection.ClientText, mechanism);
        return null;
    }

    internal void TranscriptClient(string? line)
    {
        if (line is not null)
        {
            Services.Transcript?.Invoke("C: " + line);
        }
    }

    /// <summary>
    /// A preauth user named by the peer passes the access lists and the privilege switch before
    /// anything of theirs is opened, as a login does. On refusal the session starts
    /// unauthenticated, or (with preauth-only) returns null to be closed, as GNU imap4d does.
    /// </summary>
    private async ValueTask<SessionStart?> AdmitPeerPreauthAsync(SessionStart start, CancellationToken ct)
    {
        if (start.PreauthUser is not { } user || !start.PreauthByPeer)
        {
            return start;
        }

        string? denial = Services.Login?.CheckAccess(user);
        string? refusal = denial is null ? await CompleteLoginAsync(user, "preauth", ct).ConfigureAwait(false) : "access denied";
        if (refusal is null)
        {
            return start;
        }

        Services.Log.Warn("preauthentication of {0} from {1} refused: {2}", user.Name, Data.Connection.ClientText, denial ?? refusal);
        return Services.Settings.Preauth.Only ? null : start with { PreauthUser = null, PreauthByPeer = false };
    }

    private void Greet(SessionStart start)
    {
        string text = start.TestMode ? "IMAP4rev1 Test mode" : "IMAP4rev1";
        if (start.PreauthUser is { } user)
        {
            if (Data.User is null)
            {
                Data.User = user;
                Data.Store = Services.StoreFactory?.Invoke(user);
            }

            Data.State = SessionState.Authenticated;
            Services.Log.Info("user {0} preauthenticated from {1}", user.Name, Data.Connection.ClientText);
            Writer.UntaggedStatus("PREAUTH", null, text);
        }
        else
        {
            Writer.UntaggedStatus("OK", null, text);
        }
    }

    private async Task CommandLoopAsync(CancellationToken ct)
    {
        while (Data.State != SessionState.Logout)
        {
            await Writer.FlushAsync(ct).ConfigureAwait(false);
            ClientCommand? command;
            try
            {
                if (Data.Notify is not null && !Reader.HasPendingInput)
                {
                    // RFC 5465: events are sent as they happen, not only during IDLE.
                    _notifyPush ??= new NotifyPush(this);
                    await _notifyPush.WaitForCommandAsync(IdleTimeout(), ct).ConfigureAwait(false);
                }
                else
                {
                    _notifyPush?.Unwatch(Data.Watcher); // NOTIFY NONE: the selected mailbox's watch goes too
                }

                command = await ReadWithTimeoutAsync(ct).ConfigureAwait(false);
            }
            catch (ImapSyntaxException e)
            {
                TranscriptClient((e.Tag ?? "*") + " <invalid command>");
                WriteBad(e.Tag, e.Code, e.Message);
                if (TooManyBadCommands())
                {
                    break;
                }

                continue;
            }
            catch (ProtocolViolationException e)
            {
                Writer.UntaggedStatus("BYE", null, e.Message);
                await Writer.FlushAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                Writer.UntaggedStatus("BYE", null, "Session timed out");
                await Writer.FlushAsync(ct).ConfigureAwait(false);
                Services.Log.Info("session timed out for {0}", Data.Connection.ClientText);
                return;
            }

            if (command is null)
            {
                Services.Log.Debug("end of input from {0}", Data.Connection.ClientText);
                return;
            }

            using (command)
            {
                TranscriptClient(TranscriptFormatter.Format(command));
                await DispatchAsync(command, ct).ConfigureAwait(false);
            }

            if (TooManyBadCommands())
            {
                break;
            }
        }

        await Writer.FlushAsync(ct).ConfigureAwait(false);
    }

    private async ValueTask<ClientCommand?> ReadWithTimeoutAsync(CancellationToken ct)
    {
        var timeout = IdleTimeout();
        if (timeout <= TimeSpan.Zero)
        {
            return await Reader.ReadCommandAsync(ct).ConfigureAwait(false);
        }

        // A plain race rather than cancelling the read: reads from a pipe on stdin cannot be
        // cancelled, and after a timeout the session ends anyway.
        using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var read = Reader.ReadCommandAsync(ct).AsTask();
        var delay = Task.Delay(timeout, Services.Clock, delayCancel.Token);
        var first = await Task.WhenAny(read, delay).ConfigureAwait(false);
        delayCancel.Cancel();
        ct.ThrowIfCancellationRequested();
        if (first != read)
        {
            throw new TimeoutException();
        }

        return await read.ConfigureAwait(false);
    }

    /// <summary>`timeout`, or before authentication the shorter of it and `login-timeout` (zero: none).</summary>
    private TimeSpan IdleTimeout()
    {
        var settings = Services.Settings;
        if (Data.State != SessionState.NotAuthenticated || settings.LoginTimeout <= TimeSpan.Zero)
        {
            return settings.IdleTimeout;
        }

        return settings.IdleTimeout <= TimeSpan.Zero || settings.LoginTimeout < settings.IdleTimeout ? settings.LoginTimeout : settings.IdleTimeout;
    }

    private async ValueTask DispatchAsync(ClientCommand command, CancellationToken ct)
    {
        var args = new ArgReader(command.Args) { Utf8Names = Utf8Accept.NamesInUtf8(Data) };
        string name = command.Name;
        if (name == "UID")
        {
            if (args.Peek() is not AtomArg sub)
            {
                WriteBad(command.Tag, null, "Invalid command");
                return;
            }

            args.ExpectAtom();
            name = "UID " + sub.Value.ToUpperInvariant();
        }

        var handler = _commands.Find(name);
        if (handler is null)
        {
            WriteBad(command.Tag, null, "Invalid command");
            return;
        }

        if (!handler.AllowedIn.HasFlag(ToFlag(Data.State)))
        {
            WriteBad(command.Tag, null, "Wrong state");
            return;
        }

        if (!handler.AcceptsLiteral8 && HasLiteral8(command.Args))
        {
            WriteBad(command.Tag, null, ArgReader.Literal8NotAllowed().Message);
            return;
        }

        CommandResult result;
        try
        {
            result = await handler.ExecuteAsync(new CommandContext(this, command.Tag, name), args, ct).ConfigureAwait(false);
        }
        catch (ImapSyntaxException e)
        {
            result = CommandResult.Bad(e.Message, e.Code);
        }
        catch (TimeoutException)
        {
            Writer.UntaggedStatus("BYE", null, "Session timed out");
            Data.State = SessionState.Logout;
            return;
        }
        catch (StorageException e)
        {
            Services.Log.Warn("{0} {1}: {2} ({3})", command.Tag, name, e.Message, e.Detail ?? e.InnerException?.Message ?? "");
            result = CommandResult.No(e.Message, StorageErrors.CodeOf(e.Error, Imap4Rev2.IsEnabled(Data)));
        }
        catch (PathTooLongException e)
        {
            // ENAMETOOLONG from a file a driver keeps for a mailbox: an IOException, but not the connection's.
            Services.Log.Warn("{0} {1}: {2}", command.Tag, name, e.Message);
            result = CommandResult.No(PathGuard.TooLongText, StorageErrors.CodeOf(StorageError.NotPossible));
        }
        catch (UnauthorizedAccessException e)
        {
            // The file system said no (the session runs as the user): a permission error, not a bug.
            Services.Log.Warn("{0} {1}: permission denied ({2})", command.Tag, name, e.Message);
            result = CommandResult.No("Permission denied", StorageErrors.CodeOf(StorageError.NoPermission));
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or ObjectDisposedException))
        {
            Services.Log.Error(e, "{0} {1} failed", command.Tag, name);
            result = CommandResult.No("Internal error");
        }

        if (result.HandedOff)
        {
            HandedOff = true;
            Data.State = SessionState.Logout;
            return;
        }

        _consecutiveBad = result.Status == "BAD" ? _consecutiveBad + 1 : 0;
        if (result.Next != SessionState.Logout)
        {
            // LOGOUT sent its updates before "* BYE" (LogoutCommand): nothing may follow the BYE but the tagged OK.
            DeliverUpdates(new CommandContext(this, command.Tag, name), !handler.WithholdsExpunge, command.Args);
        }

        Writer.Tagged(command.Tag, result.Status, result.Code, result.Text);
        if (result.Next is { } next)
        {
            Data.State = next;
        }

        // Work that must follow the tagged line on the wire (STARTTLS's handshake).
        if (result.AfterResponse is { } after)
        {
            await Writer.FlushAsync(ct).ConfigureAwait(false);
            await after(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Before the tagged response: the selected mailbox's updates, and NOTIFY's events (RFC 5465).</summary>
    private void DeliverUpdates(CommandContext context, bool allowExpunge, IReadOnlyList<ImapArg> args)
    {
        if (Data.Notify is not { } notify)
        {
            PollSelected(allowExpunge);
            return;
        }

        string name = context.CommandName;
        bool names = name is "CREATE" or "DELETE" or "RENAME" or "SUBSCRIBE" or "UNSUBSCRIBE";
        if (!notify.Deliver(context, pollSelected: true, allowExpunge || notify.ImmediateExpunge, OwnTarget(name, args), names))
        {
            Data.SetNotify(null);
        }
    }

    /// <summary>The mailbox an APPEND, COPY or MOVE added messages to (null for other commands or when unreadable).</summary>
    private string? OwnTarget(string name, IReadOnlyList<ImapArg> args)
    {
        int skip = name switch
        {
            "APPEND" => 0,
            "COPY" or "MOVE" => 1, // the message set
            "UID COPY" or "UID MOVE" => 2, // COPY or MOVE, then the set
            _ => -1,
        };
        if (skip < 0)
        {
            return null;
        }

        try
        {
            var reader = new ArgReader(args) { Utf8Names = Utf8Accept.NamesInUtf8(Data) };
            for (int i = 0; i < skip; i++)
            {
                reader.ExpectAny();
            }

            return reader.ExpectMailbox();
        }
        catch (ImapSyntaxException)
        {
            return null;
        }
    }

    /// <summary>Sends what changed in the selected mailbox before the tagged response.</summary>
    internal void PollSelected(bool allowExpunge)
    {
        if (Data.State != SessionState.Selected || Data.Selected is null)
        {
            return;
        }

        try
        {
            Data.Selected.Poll(Writer, allowExpunge);
        }
        catch (StorageException e)
        {
            Services.Log.Warn("mailbox poll failed: {0} ({1})", e.Message, e.Detail ?? "");
        }
    }

    private void WriteBad(string? tag, string? code, string text)
    {
        _consecutiveBad++;
        if (tag is null)
        {
            Writer.UntaggedStatus("BAD", code, text);
        }
        else
        {
            Writer.Tagged(tag, "BAD", code, text);
        }
    }

    private bool TooManyBadCommands()
    {
        if (_consecutiveBad < Services.Settings.Limits.MaxBadCommands)
        {
            return false;
        }

        Writer.UntaggedStatus("BYE", null, "Too many invalid commands");
        Services.Log.Warn("closing session from {0}: too many invalid commands", Data.Connection.ClientText);
        return true;
    }

    private ValueTask SendLiteralContinuationAsync(CancellationToken ct)
    {
        Writer.Continue("Ready for literal data");
        return Writer.FlushAsync(ct);
    }

    private static bool HasLiteral8(IReadOnlyList<ImapArg> args) =>
        args.Any(a => a is StringArg { IsBinary: true } || (a is ListArg list && HasLiteral8(list.Items)));

    private static SessionStates ToFlag(SessionState state) => state switch
    {
        SessionState.NotAuthenticated => SessionStates.NotAuthenticated,
        SessionState.Authenticated => SessionStates.Authenticated,
        SessionState.Selected => SessionStates.Selected,
        _ => SessionStates.None,
    };
}
