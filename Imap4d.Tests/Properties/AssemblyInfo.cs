using System.Runtime.Versioning;

// The tests exercise a Unix daemon (file modes, setuid, Unix sockets), like the code under test.
[assembly: SupportedOSPlatform("linux")]
[assembly: SupportedOSPlatform("freebsd")]
