using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// Starts a program with posix_spawn(3). .NET cannot fork (the runtime's threads would not
/// survive), and Process.Start cannot map arbitrary descriptors, so this is how the daemon
/// starts a session with the client socket as standard input and output.
/// The child starts with every signal at its default disposition and none blocked, whatever
/// the runtime had set up in this process (it ignores SIGPIPE, for one).
/// </summary>
public static unsafe partial class PosixSpawn
{
    // glibc's <spawn.h> flags.
    private const short SetSignalDefaults = 0x04;   // POSIX_SPAWN_SETSIGDEF
    private const short SetSignalMask = 0x08;       // POSIX_SPAWN_SETSIGMASK
    private const short SetSid = 0x80;              // POSIX_SPAWN_SETSID, glibc >= 2.26

    // Opaque glibc types, allocated generously: 80 and 336 bytes on x86_64 and aarch64.
    private const int FileActionsSize = 512;
    private const int AttributesSize = 1024;
    private const int SignalSetSize = 256;          // sigset_t is 128 bytes

    private static bool s_closeFromMissing;

    /// <summary>Starts the program; returns the child's pid. The child is not reaped here: the caller must waitpid it.</summary>
    /// <exception cref="NativeError">posix_spawn or one of its set-up calls failed (e.g. ENOENT for a missing program).</exception>
    public static int Spawn(SpawnRequest request)
    {
        void* actions = NativeMemory.AllocZeroed(FileActionsSize);
        void* attributes = NativeMemory.AllocZeroed(AttributesSize);
        byte* signals = (byte*)NativeMemory.AllocZeroed(SignalSetSize);
        var strings = new List<nint>();
        bool actionsReady = false;
        bool attributesReady = false;
        try
        {
            Check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(actions));
            actionsReady = true;
            Check("posix_spawnattr_init", posix_spawnattr_init(attributes));
            attributesReady = true;

            int highest = 2;
            foreach (var (source, target) in request.Descriptors)
            {
                Check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(actions, source, target));
                highest = Math.Max(highest, target);
            }

            AddCloseFrom(actions, highest + 1);

            short flags = SetSignalDefaults | SetSignalMask;
            if (request.NewSession)
            {
                flags |= SetSid;
            }

            Check("posix_spawnattr_setflags", posix_spawnattr_setflags(attributes, flags));
            CheckErrno("sigemptyset", sigemptyset(signals));
            Check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(attributes, signals));
            CheckErrno("sigfillset", sigfillset(signals));
            Check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(attributes, signals));

            byte* path = Utf8(request.Path, strings);
            byte** argv = StringArray(request.Arguments, strings);
            byte** envp = StringArray(request.Environment, strings);
            int pid;
            Check("posix_spawn " + request.Path, posix_spawn(&pid, path, actions, attributes, argv, envp));
            return pid;
        }
        finally
        {
            if (actionsReady)
            {
                _ = posix_spawn_file_actions_destroy(actions);
            }

            if (attributesReady)
            {
                _ = posix_spawnattr_destroy(attributes);
            }

            foreach (nint p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }

            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
        }
    }

    /// <summary>
    /// Closes every descriptor from <paramref name="lowest"/> up in the child, as a second line
    /// behind close-on-exec: a descriptor some library opened without it still stays home.
    /// </summary>
    private static void AddCloseFrom(void* actions, int lowest)
    {
        if (s_closeFromMissing)
        {
            return;
        }

        try
        {
            Check("posix_spawn_file_actions_addclosefrom_np", posix_spawn_file_actions_addclosefrom_np(actions, lowest));
        }
        catch (EntryPointNotFoundException)
        {
            s_closeFromMissing = true; // glibc < 2.34: close-on-exec alone protects
        }
    }

    private static byte* Utf8(string s, List<nint> strings)
    {
        nint p = Marshal.StringToCoTaskMemUTF8(s);
        strings.Add(p);
        return (byte*)p;
    }

    private static byte** StringArray(IReadOnlyList<string> items, List<nint> strings)
    {
        nint block = Marshal.AllocCoTaskMem((items.Count + 1) * sizeof(nint));
        strings.Add(block);
        var array = (byte**)block;
        for (int i = 0; i < items.Count; i++)
        {
            array[i] = Utf8(items[i], strings);
        }

        array[items.Count] = null;
        return array;
    }

    /// <summary>The posix_spawn family returns an errno value instead of setting errno.</summary>
    private static void Check(string function, int result)
    {
        if (result != 0)
        {
            throw new NativeError(function, result);
        }
    }

    private static void CheckErrno(string function, int result)
    {
        if (result != 0)
        {
            throw NativeError.FromLastError(function);
        }
    }

    [LibraryImport("libc")]
    private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(void* attributes, byte* mask);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(void* attributes, byte* signals);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigemptyset(byte* set);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sigfillset(byte* set);
}
