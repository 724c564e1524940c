using System.Globalization;
using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// The daemon's `pidfile`: written (atomically, by rename) once the daemon listens, removed
/// when it exits. A file naming a live process stops a second daemon from starting; a stale
/// one (its process gone) is replaced.
/// </summary>
public sealed class PidFile
{
    public PidFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>The pid in the file if that process is alive and is not this one; otherwise null.</summary>
    public int? LiveOwner()
    {
        int? pid = Read();
        return pid is int p && p != Environment.ProcessId && ProcessControl.Exists(p) ? p : null;
    }

    /// <summary>Writes this process's pid. Throws IOException or UnauthorizedAccessException when it cannot.</summary>
    public void Write()
    {
        string temporary = $"{Path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        try
        {
            File.WriteAllText(temporary, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Removes the file if it still names this process; never throws.</summary>
    public void Remove()
    {
        try
        {
            if (Read() == Environment.ProcessId)
            {
                File.Delete(Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private int? Read()
    {
        try
        {
            string text = File.ReadAllText(Path).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
