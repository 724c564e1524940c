namespace Imap4d.Tests;

public class SmokeTests
{
    [Test]
    public void EntryPointRuns() => Assert.That(Program.Main([]), Is.EqualTo(0));
}
