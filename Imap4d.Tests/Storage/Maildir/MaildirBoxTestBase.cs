using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// What the maildir test classes share: a fresh temporary directory with one empty maildir
/// <c>box</c> (mode 0600) made by a new <see cref="MaildirDriver"/> before each test.
/// </summary>
public abstract class MaildirBoxTestBase
{
    /// <summary>The delivery date the tests give their messages.</summary>
    protected static readonly DateTimeOffset Date = new(2024, 3, 5, 10, 20, 30, TimeSpan.Zero);

    protected MaildirDriverFixture _fixture = null!;
    protected MaildirDriver _driver = null!;
    protected string _path = null!;

    [SetUp]
    public void CreateBox()
    {
        _fixture = new MaildirDriverFixture();
        _driver = (MaildirDriver)_fixture.Driver;
        _path = _fixture.NewPath("box");
        _driver.Create(_path, (UnixFileMode)0x180);
    }

    [TearDown]
    public void RemoveBox() => _fixture.Dispose();
}
