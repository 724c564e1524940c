namespace Imap4d.Hosting;

/// <summary>How the server gets its connections, as chosen by <c>-i</c> or <c>-d</c>.</summary>
public enum ServerMode
{
    /// <summary>One session on stdin/stdout, as started by inetd or systemd socket activation.</summary>
    Inetd,

    /// <summary>A listening daemon that forks (here: spawns) a session per connection.</summary>
    Daemon,
}
