using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// An admitted connection, ready for its session: the streams to use (a TLS stage may have
/// replaced them), the connection as the client is known (PROXY), the services with the
/// connection's `server` block applied, and how the session starts (PREAUTH or not).
/// </summary>
public sealed record GateOutcome(Stream Input, Stream Output, ConnectionInfo Connection, SessionServices Services, SessionStart Start);
