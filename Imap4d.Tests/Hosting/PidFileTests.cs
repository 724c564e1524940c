using System.Globalization;
using Imap4d.Hosting;
using Imap4d.Tests.Config;

namespace Imap4d.Tests.Hosting;

public class PidFileTests
{
    [Test]
    public void WriteThenRemove()
    {
        using var dir = new TempDirectory();
        var file = new PidFile(Path.Combine(dir.Path, "imap4d.pid"));
        file.Write();
        Assert.That(File.ReadAllText(file.Path), Is.EqualTo(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        Assert.That(Directory.GetFiles(dir.Path), Has.Length.EqualTo(1), "no temporary file left");
        Assert.That(file.LiveOwner(), Is.Null, "our own pid is not another daemon");
        file.Remove();
        Assert.That(File.Exists(file.Path), Is.False);
    }

    [Test]
    public void LiveProcessIsReported()
    {
        using var dir = new TempDirectory();
        using var other = System.Diagnostics.Process.Start("/bin/sleep", "30");
        try
        {
            string path = Path.Combine(dir.Path, "imap4d.pid");
            File.WriteAllText(path, other.Id + "\n");
            var file = new PidFile(path);
            Assert.That(file.LiveOwner(), Is.EqualTo(other.Id));
            file.Remove();
            Assert.That(File.Exists(path), Is.True, "a file naming another process is left alone");
        }
        finally
        {
            other.Kill();
        }
    }

    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("999999999")]
    public void StaleOrBrokenFileIsNoOwner(string content)
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "imap4d.pid");
        File.WriteAllText(path, content);
        var file = new PidFile(path);
        Assert.That(file.LiveOwner(), Is.Null);
        file.Write();
        Assert.That(File.ReadAllText(path).Trim(), Is.EqualTo(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public void MissingFileIsNoOwner() => Assert.That(new PidFile("/nonexistent/dir/imap4d.pid").LiveOwner(), Is.Null);
}
