namespace Imap4d.Hosting;

/// <summary>Whether a GNU option takes an argument.</summary>
public enum GnuArgument
{
    None,
    Required,

    /// <summary>Only attached: <c>-d5</c> or <c>--daemon=5</c>, never a separate word.</summary>
    Optional,
}

/// <summary>
/// One option as GNU imap4d accepts it. <see cref="Negatable"/> flags also accept
/// <c>--no-NAME</c>, as Mailutils 3 prints them (<c>--[no-]inetd</c>).
/// </summary>
public sealed record GnuOption(
    string LongName,
    char? ShortName,
    GnuArgument Argument,
    string? ArgumentName,
    string Description,
    string Group,
    bool Negatable = false,
    string? Alias = null);

/// <summary>The single table behind parsing, <c>--help</c> and <c>--usage</c>.</summary>
public static class GnuOptionTable
{
    public const string ServerGroup = "";
    public const string DebugGroup = "Global debugging settings";
    public const string ConfigGroup = "Configuration handling";
    public const string InfoGroup = "Informational options";
    public const string DeliveryGroup = "Local delivery";

    public static IReadOnlyList<GnuOption> Options { get; } =
    [
        new("daemon", 'd', GnuArgument.Optional, "NUMBER", "run as a standalone daemon serving at most NUMBER connections at once", ServerGroup),
        new("foreground", null, GnuArgument.None, null, "stay in the foreground in daemon mode", ServerGroup, Negatable: true),
        new("inetd", 'i', GnuArgument.None, null, "serve one connection on standard input and output", ServerGroup, Negatable: true),
        new("preauth", null, GnuArgument.None, null, "start the session authenticated as the invoking user", ServerGroup),
        new("test", null, GnuArgument.None, null, "run in test mode (a session on the terminal)", ServerGroup, Negatable: true),

        new("deliver", null, GnuArgument.None, null, "deliver the message on standard input to each USER given as an operand, then exit", DeliveryGroup),
        new("from", 'f', GnuArgument.Required, "SENDER", "with --deliver: the envelope sender", DeliveryGroup),
        new("mailbox", 'm', GnuArgument.Required, "FOLDER", "with --deliver: store into FOLDER (created if missing) instead of INBOX", DeliveryGroup),
        new("lmtp", null, GnuArgument.None, null, "speak LMTP (RFC 2033) on standard input and output, delivering each message", DeliveryGroup),

        new("debug-level", null, GnuArgument.Required, "LEVEL", "set the debugging level", DebugGroup),
        new("debug-line-info", null, GnuArgument.None, null, "add source locations to debugging messages", DebugGroup, Negatable: true),
        new("log-facility", null, GnuArgument.Required, "FACILITY", "send log messages to syslog FACILITY", DebugGroup),

        new("config-file", null, GnuArgument.Required, "FILE", "read this configuration file instead of the site-wide one", ConfigGroup),
        new("config-lint", null, GnuArgument.None, null, "check the configuration file syntax and exit", ConfigGroup),
        new("config-verbose", null, GnuArgument.None, null, "log each configuration file as it is parsed", ConfigGroup),
        new("no-site-config", null, GnuArgument.None, null, "skip the site-wide configuration file", ConfigGroup, Alias: "no-config"),
        new("set", null, GnuArgument.Required, "PARAM=VALUE", "set the configuration parameter PARAM to VALUE", ConfigGroup),

        new("config-help", null, GnuArgument.None, null, "describe the configuration file statements", InfoGroup),
        new("show-config-options", null, GnuArgument.None, null, "show the options this program was built with", InfoGroup),
        new("help", '?', GnuArgument.None, null, "give this help list", InfoGroup),
        new("usage", null, GnuArgument.None, null, "give a short usage message", InfoGroup),
        new("version", 'V', GnuArgument.None, null, "print program version", InfoGroup),
    ];

    /// <summary>Options that print something and end the program as soon as they are seen.</summary>
    public static bool IsImmediateExit(GnuOption option) =>
        option.LongName is "help" or "usage" or "version";
}
