namespace Imap4d.Hosting;

/// <summary>Process exit statuses, from BSD sysexits.h as GNU Mailutils uses them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>EX_USAGE: bad command line.</summary>
    public const int Usage = 64;

    /// <summary>EX_DATAERR: the input (a message to deliver) is unusable.</summary>
    public const int DataError = 65;

    /// <summary>EX_NOUSER: the recipient of a delivery is unknown.</summary>
    public const int NoUser = 67;

    /// <summary>EX_UNAVAILABLE: a required service (e.g. the listening socket) is unavailable.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_SOFTWARE: internal error.</summary>
    public const int Software = 70;

    /// <summary>EX_OSERR: an operating system call failed (fork, setuid, ...).</summary>
    public const int OsError = 71;

    /// <summary>EX_CANTCREAT: an output file (the pid file) cannot be created.</summary>
    public const int CantCreate = 73;

    /// <summary>EX_TEMPFAIL: try again later; another daemon holds the pid file.</summary>
    public const int TempFail = 75;

    /// <summary>EX_NOPERM: a delivery is refused by file permissions.</summary>
    public const int NoPermission = 77;

    /// <summary>EX_CONFIG: the configuration is invalid.</summary>
    public const int Config = 78;
}
