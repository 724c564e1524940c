using System.Net.Sockets;

namespace Imap4d.Hosting;

/// <summary>
/// A bound, listening socket of the daemon, whether its sessions run inside the daemon
/// (`single-process`), and what it speaks (LMTP connections always get a process of their own).
/// </summary>
public sealed record Listener(Socket Socket, bool InProcess, Config.ListenerProtocol Protocol = Config.ListenerProtocol.Imap);
