using System.Net.Sockets;

namespace Imap4d.Hosting;

/// <summary>A bound, listening socket of the daemon, and whether its sessions run inside the daemon (`single-process`).</summary>
public sealed record Listener(Socket Socket, bool InProcess);
