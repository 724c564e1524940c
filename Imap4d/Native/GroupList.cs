using System.Runtime.InteropServices;
using System.Text;

namespace Imap4d.Native;

/// <summary>
/// Supplementary groups: getgrouplist(3) (NSS, so /etc/group, LDAP, ...), setgroups(2) and
/// getgroups(2), which Mono.Posix lacks or wraps through its helper library.
/// glibc's setgroups applies to every thread of the process.
/// </summary>
internal static unsafe partial class GroupList
{
    private const int MaxGroups = 65536;

    [LibraryImport(LibC.Name, EntryPoint = "getgrouplist")]
    private static partial int GetGroupList(byte* user, uint group, uint* groups, int* count);

    [LibraryImport(LibC.Name, EntryPoint = "setgroups", SetLastError = true)]
    private static partial int SetGroups(nuint size, uint* list);

    [LibraryImport(LibC.Name, EntryPoint = "getgroups", SetLastError = true)]
    private static partial int GetGroups(int size, uint* list);

    /// <summary>
    /// The groups of <paramref name="user"/>: <paramref name="primaryGid"/> first, then every group
    /// that lists the user as a member. Null when the name cannot be passed to C.
    /// </summary>
    public static uint[]? Of(string user, uint primaryGid)
    {
        if (user.Length == 0 || user.Contains('\0'))
        {
            return null;
        }

        byte[] name = Encoding.UTF8.GetBytes(user + "\0");
        int count = 32;
        while (count <= MaxGroups)
        {
            uint[] groups = new uint[count];
            int found = count;
            int result;
            fixed (byte* namePtr = name)
            fixed (uint* groupsPtr = groups)
            {
                result = GetGroupList(namePtr, primaryGid, groupsPtr, &found);
            }

            if (result >= 0)
            {
                return groups[..Math.Min(found, count)];
            }

            // -1: the array was too small and `found` holds the size needed.
            count = Math.Max(count * 2, found);
        }

        return null;
    }

    /// <summary>Sets the supplementary groups; false with errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static bool Set(IReadOnlyList<uint> groups)
    {
        uint[] list = groups.ToArray();
        fixed (uint* listPtr = list)
        {
            return SetGroups((nuint)list.Length, listPtr) == 0;
        }
    }

    /// <summary>The process's current supplementary groups.</summary>
    public static uint[] Current()
    {
        int count = GetGroups(0, null);
        if (count <= 0)
        {
            return [];
        }

        uint[] groups = new uint[count];
        fixed (uint* groupsPtr = groups)
        {
            count = GetGroups(count, groupsPtr);
        }

        return count < 0 ? [] : groups[..count];
    }
}
