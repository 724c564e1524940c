using Mono.Unix.Native;

namespace Imap4d.Hosting;

/// <summary>Terminal checks: <c>imap4d -i</c> on a terminal is an interactive session for the invoking user.</summary>
public static class Terminal
{
    public const int StandardInput = 0;

    /// <summary>isatty(3).</summary>
    public static bool IsTerminal(int fd) => Syscall.isatty(fd);
}
