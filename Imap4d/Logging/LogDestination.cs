namespace Imap4d.Logging;

/// <summary>Where log messages go: syslog (the default for a daemon) or standard error (test mode, debugging).</summary>
public enum LogDestination
{
    Syslog,
    Stderr,
}
