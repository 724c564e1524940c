using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// Real, effective and saved user and group ids through setres[ug]id(2), so that all three
/// change at once and nothing is left to switch back to. glibc applies these to every thread
/// of the process (its setxid broadcast), which a .NET process with its runtime threads needs.
/// </summary>
internal static unsafe partial class ProcessIdentity
{
    [LibraryImport(LibC.Name, EntryPoint = "setresuid", SetLastError = true)]
    private static partial int SetResUid(uint real, uint effective, uint saved);

    [LibraryImport(LibC.Name, EntryPoint = "setresgid", SetLastError = true)]
    private static partial int SetResGid(uint real, uint effective, uint saved);

    [LibraryImport(LibC.Name, EntryPoint = "getresuid")]
    private static partial int GetResUid(uint* real, uint* effective, uint* saved);

    [LibraryImport(LibC.Name, EntryPoint = "getresgid")]
    private static partial int GetResGid(uint* real, uint* effective, uint* saved);

    [LibraryImport(LibC.Name, EntryPoint = "setuid", SetLastError = true)]
    private static partial int SetUid(uint uid);

    [LibraryImport(LibC.Name, EntryPoint = "setgid", SetLastError = true)]
    private static partial int SetGid(uint gid);

    [LibraryImport(LibC.Name, EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    private const int PrSetNoNewPrivs = 38;

    /// <summary>PR_SET_NO_NEW_PRIVS: no set-user-id program or file capability can raise this process (or its children) again.</summary>
    public static bool ForbidNewPrivileges() => Prctl(PrSetNoNewPrivs, 1, 0, 0, 0) == 0;

    public static bool SetUser(uint uid) => SetResUid(uid, uid, uid) == 0;

    public static bool SetGroup(uint gid) => SetResGid(gid, gid, gid) == 0;

    public static (uint Real, uint Effective, uint Saved) Users()
    {
        uint real, effective, saved;
        GetResUid(&real, &effective, &saved);
        return (real, effective, saved);
    }

    public static (uint Real, uint Effective, uint Saved) Groups()
    {
        uint real, effective, saved;
        GetResGid(&real, &effective, &saved);
        return (real, effective, saved);
    }

    /// <summary>Whether setuid(0) succeeds, i.e. whether root can still be regained (it must not be after the switch).</summary>
    public static bool CanBecomeRoot() => SetUid(0) == 0;

    /// <summary>Whether setgid(0) succeeds.</summary>
    public static bool CanBecomeRootGroup() => SetGid(0) == 0;

    public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
