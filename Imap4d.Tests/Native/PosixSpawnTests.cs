using System.Globalization;
using Imap4d.Native;

namespace Imap4d.Tests.Native;

public class PosixSpawnTests
{
    [Test]
    public void MappedDescriptorBecomesTheChildsStandardOutput()
    {
        var (exit, output) = ShellRunner.Run("echo hello; exit 3");
        Assert.That(output, Is.EqualTo("hello\n"));
        Assert.That(exit, Is.EqualTo(new ChildExit(3, null)));
    }

    [Test]
    public void DescriptorsCanBeMappedOntoAnyNumber()
    {
        var (read, write) = FileDescriptors.CreatePipe();
        try
        {
            var (_, output) = ShellRunner.Run("echo via-fd-5 >&5; echo done", extra: [(write, 5)]);
            FileDescriptors.Close(write);
            write = -1;
            var buffer = new byte[100];
            int n = FileDescriptors.Read(read, buffer);
            Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("via-fd-5\n"));
            Assert.That(output, Is.EqualTo("done\n"));
        }
        finally
        {
            FileDescriptors.Close(read);
            if (write >= 0)
            {
                FileDescriptors.Close(write);
            }
        }
    }

    [Test]
    public void UnmappedDescriptorsStayInTheParent()
    {
        var (first, second) = FileDescriptors.CreateSocketPair();
        var (pipeRead, pipeWrite) = FileDescriptors.CreatePipe();
        try
        {
            Assert.That(FileDescriptors.IsCloseOnExec(first), Is.True);
            Assert.That(FileDescriptors.IsCloseOnExec(pipeWrite), Is.True);
            var (_, output) = ShellRunner.Run("for f in /proc/$$/fd/*; do echo ${f##*/}; done");
            var open = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.That(open, Is.SubsetOf(new[] { 0, 1, 2, 3 }), "only stdio (and the glob's own directory fd) in the child");
            Assert.That(open, Does.Not.Contain(first).And.Not.Contain(second).And.Not.Contain(pipeRead).And.Not.Contain(pipeWrite));
        }
        finally
        {
            FileDescriptors.Close(first);
            FileDescriptors.Close(second);
            FileDescriptors.Close(pipeRead);
            FileDescriptors.Close(pipeWrite);
        }
    }

    [Test]
    public void ChildStartsWithDefaultSignalsAndNoneBlocked()
    {
        // The .NET runtime ignores SIGPIPE in this process; the child must not inherit that.
        // (glibc itself marks its two internal real-time signals ignored; they are not looked at.)
        var (_, output) = ShellRunner.Run("exec grep -E '^Sig(Ign|Blk):' /proc/self/status");
        var masks = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':'))
            .ToDictionary(parts => parts[0], parts => ulong.Parse(parts[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        const ulong sigpipe = 1UL << (13 - 1);
        Assert.That(masks["SigBlk"], Is.Zero);
        Assert.That(masks["SigIgn"] & sigpipe, Is.Zero);
    }

    [Test]
    public void NewSessionMakesTheChildASessionLeader()
    {
        var (_, output) = ShellRunner.Run("echo $$; read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; echo $sid", newSession: true);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(int.Parse(lines[1].Trim(), CultureInfo.InvariantCulture), Is.EqualTo(int.Parse(lines[0], CultureInfo.InvariantCulture)));
    }

    [Test]
    public void MissingProgramFailsWithENOENT()
    {
        var e = Assert.Throws<NativeError>(() => PosixSpawn.Spawn(new SpawnRequest("/nonexistent/imap4d-test", ["x"], [])));
        Assert.That(e!.Errno, Is.EqualTo(2));
    }
}
