using System.Globalization;

namespace Imap4d.Tests.Support;

/// <summary>What /proc says about processes: parents, states, sessions, open descriptors, listening sockets.</summary>
public static class ProcTable
{
    /// <summary>The live (not zombie) children of <paramref name="parent"/>.</summary>
    public static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && Stat(pid) is { } stat && stat.ParentPid == parent && stat.State != 'Z')
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>State letter, parent pid and session id of <paramref name="pid"/>; null when it does not exist.</summary>
    public static (char State, int ParentPid, int SessionId)? Stat(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> runs (exists and is no zombie).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } stat && stat.State != 'Z';

    /// <summary>The targets of /proc/PID/fd links ("socket:[123]", "/dev/null", ...).</summary>
    public static List<string> DescriptorTargets(int pid)
    {
        var targets = new List<string>();
        try
        {
            foreach (string link in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    targets.Add(new FileInfo(link).LinkTarget ?? "");
                }
                catch (IOException)
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return targets;
    }

    /// <summary>The inode of the TCP socket listening on 127.0.0.1:<paramref name="port"/> (/proc/net/tcp), or null.</summary>
    public static string? ListeningSocketInode(int port)
    {
        string local = $"0100007F:{port:X4}";
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == local && fields[3] == "0A")
            {
                return fields[9];
            }
        }

        return null;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the timeout passes; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }
}
