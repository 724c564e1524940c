using System.Reflection;
using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// Mono.Posix's native half, libMonoPosixHelper.so, is installed beside the program. Asked for
/// "MonoPosixHelper", the runtime first tries that name in the program's directory and then in
/// every system library directory (some fifty failed opens and stats, in each process: an LDA
/// delivery is one) before it tries the file's real name; this loads the file from beside the
/// program at once, and leaves any other case to the usual search.
/// </summary>
internal static class PosixHelperLibrary
{
    private const string ImportName = "MonoPosixHelper";
    private const string FileName = "libMonoPosixHelper.so";

    /// <summary>Installs the resolver for Mono.Posix's imports; call once, before its first call.</summary>
    public static void ResolveBesideProgram() =>
        NativeLibrary.SetDllImportResolver(typeof(Mono.Unix.Native.Syscall).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == ImportName && NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, FileName), out IntPtr handle)
            ? handle
            : IntPtr.Zero;
}
