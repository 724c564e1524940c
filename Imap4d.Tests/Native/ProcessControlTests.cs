using Imap4d.Native;

namespace Imap4d.Tests.Native;

public class ProcessControlTests
{
    /// <summary>
    /// The premise of the daemon's reaper: the .NET runtime's SIGCHLD handling reaps only the
    /// children of <see cref="System.Diagnostics.Process"/> (this test process has some), so a
    /// child we spawned stays a zombie until we waitpid it ourselves.
    /// </summary>
    [Test]
    public void RuntimeLeavesOurChildrenForUsToReap()
    {
        using (var other = System.Diagnostics.Process.Start("/bin/true"))
        {
            other.WaitForExit(); // makes sure the runtime's SIGCHLD handling is active
        }

        int pid = PosixSpawn.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", "exit 7"], []));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (State(pid) != 'Z' && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        Thread.Sleep(200); // time for the runtime to have reaped it, were it going to
        Assert.That(State(pid), Is.EqualTo('Z'), "an unreaped zombie");
        Assert.That(ProcessControl.TryReap(pid), Is.EqualTo(new ChildExit(7, null)));
        Assert.That(ProcessControl.TryReap(pid), Is.EqualTo(ChildExit.Unknown), "reaped once only");
    }

    [Test]
    public void RunningChildIsNotReapedAndSignalEndsIt()
    {
        int pid = PosixSpawn.Spawn(new SpawnRequest("/bin/sh", ["sh", "-c", "sleep 30"], []));
        Assert.That(ProcessControl.TryReap(pid), Is.Null);
        Assert.That(ProcessControl.Exists(pid), Is.True);
        Assert.That(ProcessControl.Signal(pid, ProcessControl.SigKill), Is.True);
        Assert.That(ShellRunner.WaitFor(pid), Is.EqualTo(new ChildExit(null, 9)));
        Assert.That(ProcessControl.Exists(pid), Is.False);
    }

    private static char State(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }
}
