using System.Text;
using Imap4d.Native;

namespace Imap4d.Tests.Native;

/// <summary>Runs /bin/sh through <see cref="PosixSpawn"/> with its standard output on a pipe.</summary>
internal static class ShellRunner
{
    /// <summary>Runs <c>sh -c script</c>; returns its exit and what it wrote to standard output.</summary>
    public static (ChildExit Exit, string Output) Run(string script, bool newSession = false, IReadOnlyList<(int Source, int Target)>? extra = null)
    {
        var (read, write) = FileDescriptors.CreatePipe();
        int pid;
        try
        {
            var descriptors = new List<(int, int)> { (write, 1) };
            descriptors.AddRange(extra ?? []);
            pid = PosixSpawn.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", script], ["PATH=/usr/bin:/bin"])
            {
                Descriptors = descriptors,
                NewSession = newSession,
            });
        }
        finally
        {
            FileDescriptors.Close(write);
        }

        var output = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = FileDescriptors.Read(read, buffer)) > 0)
        {
            output.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        FileDescriptors.Close(read);
        return (WaitFor(pid), output.ToString());
    }

    /// <summary>Waits (bounded) until <paramref name="pid"/>, our child, has ended, and reaps it.</summary>
    public static ChildExit WaitFor(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (ProcessControl.TryReap(pid) is ChildExit exit)
            {
                return exit;
            }

            Thread.Sleep(5);
        }

        throw new TimeoutException($"child {pid} did not end");
    }
}
