namespace Imap4d.Logging;

/// <summary>Syslog facilities with their RFC 3164 codes.</summary>
public enum SyslogFacility
{
    Kern = 0,
    User = 1,
    Mail = 2,
    Daemon = 3,
    Auth = 4,
    Syslog = 5,
    Lpr = 6,
    News = 7,
    Uucp = 8,
    Cron = 9,
    AuthPriv = 10,
    Ftp = 11,
    Local0 = 16,
    Local1 = 17,
    Local2 = 18,
    Local3 = 19,
    Local4 = 20,
    Local5 = 21,
    Local6 = 22,
    Local7 = 23,
}

/// <summary>Facility names as written in <c>--log-facility</c> and the <c>logging { facility }</c> statement.</summary>
public static class SyslogFacilities
{
    private static readonly Dictionary<string, SyslogFacility> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kern"] = SyslogFacility.Kern,
        ["user"] = SyslogFacility.User,
        ["mail"] = SyslogFacility.Mail,
        ["daemon"] = SyslogFacility.Daemon,
        ["auth"] = SyslogFacility.Auth,
        ["syslog"] = SyslogFacility.Syslog,
        ["lpr"] = SyslogFacility.Lpr,
        ["news"] = SyslogFacility.News,
        ["uucp"] = SyslogFacility.Uucp,
        ["cron"] = SyslogFacility.Cron,
        ["authpriv"] = SyslogFacility.AuthPriv,
        ["ftp"] = SyslogFacility.Ftp,
        ["local0"] = SyslogFacility.Local0,
        ["local1"] = SyslogFacility.Local1,
        ["local2"] = SyslogFacility.Local2,
        ["local3"] = SyslogFacility.Local3,
        ["local4"] = SyslogFacility.Local4,
        ["local5"] = SyslogFacility.Local5,
        ["local6"] = SyslogFacility.Local6,
        ["local7"] = SyslogFacility.Local7,
    };

    /// <summary>GNU imap4d logs to <c>mail</c> unless told otherwise.</summary>
    public const SyslogFacility Default = SyslogFacility.Mail;

    /// <summary>Accepts <c>mail</c>, <c>MAIL</c> or <c>LOG_MAIL</c>, like Mailutils.</summary>
    public static bool TryParse(string name, out SyslogFacility facility)
    {
        string bare = name.StartsWith("LOG_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
        return ByName.TryGetValue(bare, out facility);
    }

    public static SyslogFacility Parse(string name) =>
        TryParse(name, out SyslogFacility facility)
            ? facility
            : throw new ArgumentException($"unknown syslog facility '{name}'", nameof(name));
}
