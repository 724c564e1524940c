using System.Runtime.Versioning;

// imap4d is a Unix daemon (file modes, setuid, Unix sockets): say so once for the analyzers.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("freebsd")]
