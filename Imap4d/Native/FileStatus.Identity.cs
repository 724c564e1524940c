using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>The identity of a file (device, inode, times, size, links, mode) by statx(2), for caches checked against it.</summary>
public static partial class FileStatus
{
    private const int LinksOffset = 16;
    private const int ModeOffset = 28;
    private const int InodeOffset = 32;
    private const int DevMajorOffset = 136;
    private const int CurrentDirectory = -100; // AT_FDCWD

    /// <summary>Who a file is and when it last changed: what a cache of facts about it is checked against.</summary>
    public readonly record struct Identity(ulong Device, ulong Inode, long MtimeNs, long CtimeNs, long Size, uint Links, uint Mode);

    /// <summary>
    /// The <see cref="Identity"/> of <paramref name="name"/> in <paramref name="directory"/>, or of
    /// the path <paramref name="name"/> when <paramref name="directory"/> is null (a symbolic link is
    /// followed, as stat(2) does); false when it cannot be had.
    /// </summary>
    public static unsafe bool TryIdentity(SafeFileHandle? directory, string name, out Identity identity)
    {
        byte* record = stackalloc byte[StatxSize];
        int result = directory is null
            ? statxFrom(CurrentDirectory, name, 0, StatxBasicStats, record)
            : statx(directory, name, 0, StatxBasicStats, record);
        if (result != 0)
        {
            identity = default;
            return false;
        }

        var bytes = new ReadOnlySpan<byte>(record, StatxSize);
        ulong device = ((ulong)MemoryMarshal.Read<uint>(bytes[DevMajorOffset..]) << 32) | MemoryMarshal.Read<uint>(bytes[(DevMajorOffset + 4)..]);
        identity = new Identity(device, MemoryMarshal.Read<ulong>(bytes[InodeOffset..]), TimeOf(bytes[MtimeOffset..]),
            TimeOf(bytes[CtimeOffset..]), MemoryMarshal.Read<long>(bytes[SizeOffset..]), MemoryMarshal.Read<uint>(bytes[LinksOffset..]),
            MemoryMarshal.Read<ushort>(bytes[ModeOffset..]));
        return true;
    }

    [LibraryImport(LibC.Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statxFrom(int dirfd, string path, int flags, uint mask, byte* buffer);
}
