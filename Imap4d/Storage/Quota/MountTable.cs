using System.Globalization;
using Mono.Unix.Native;

namespace Imap4d.Storage.Quota;

/// <summary>The mount that holds a path, from /proc/self/mountinfo: its mount point and source device.</summary>
public sealed record MountEntry(string MountPoint, string Source)
{
    /// <summary>The mount whose device is the one of <paramref name="path"/>; null when unknown.</summary>
    public static MountEntry? Of(string path, string mountInfo = "/proc/self/mountinfo")
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return null;
        }

        return OfDevice(st.st_dev, mountInfo);
    }

    /// <summary>The mount of device <paramref name="device"/> (a stat's st_dev); null when unknown.</summary>
    public static MountEntry? OfDevice(ulong device, string mountInfo = "/proc/self/mountinfo")
    {
        try
        {
            return Find(File.ReadLines(mountInfo), device);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last line of <paramref name="lines"/> (mountinfo format) for device <paramref name="device"/>: a later mount hides an earlier one.</summary>
    public static MountEntry? Find(IEnumerable<string> lines, ulong device)
    {
        string wanted = Major(device).ToString(CultureInfo.InvariantCulture) + ":" + Minor(device).ToString(CultureInfo.InvariantCulture);
        MountEntry? found = null;
        foreach (string line in lines)
        {
            // ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 5 || separator + 2 >= fields.Length || fields[2] != wanted)
            {
                continue;
            }

            found = new MountEntry(Unescape(fields[4]), Unescape(fields[separator + 2]));
        }

        return found;
    }

    private static ulong Major(ulong device) => ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfffUL);

    private static ulong Minor(ulong device) => (device & 0xff) | ((device >> 12) & ~0xffUL);

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var text = new System.Text.StringBuilder();
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
