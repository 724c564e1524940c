using System.Runtime.InteropServices;
using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Tests.Native;

public class NativeErrnoTests
{
    [Test]
    public void TheErrnoOfAFailedCallCanBeReadTwice()
    {
        Assert.That(Syscall.rename("/nonexistent-" + Guid.NewGuid(), "/tmp/x"), Is.EqualTo(-1));
        Assert.That(NativeErrno.Last, Is.EqualTo(Errno.ENOENT));
        Assert.That(NativeErrno.Last, Is.EqualTo(Errno.ENOENT), "read again, as code that checks EACCES and then ENOENT does");
    }

    [TestCase(Errno.EPERM, 1)]
    [TestCase(Errno.ENOENT, 2)]
    [TestCase(Errno.EACCES, 13)]
    [TestCase(Errno.EEXIST, 17)]
    [TestCase(Errno.ENOSPC, 28)]
    [TestCase(Errno.EROFS, 30)]
    [TestCase(Errno.EDQUOT, 122)]
    public void MonosErrnoNumbersAreLinuxs(Errno errno, int linux) => Assert.That((int)errno, Is.EqualTo(linux));

    // The runtime can hand back errno 0 for a failed call (dotnet/runtime#77364). A failure with
    // errno 0 is asked again, and the real errno decides.
    [Test]
    public void AFailureWhoseErrnoWasLostIsAskedAgain()
    {
        int calls = 0;
        int result = NativeErrno.Retry(() =>
        {
            calls++;
            Marshal.SetLastPInvokeError(calls == 1 ? 0 : (int)Errno.ENOENT);
            return -1;
        });

        Assert.That((result, calls, NativeErrno.Last), Is.EqualTo((-1, 2, Errno.ENOENT)));
    }

    [Test]
    public void ASuccessOrARealErrnoIsNotRepeated()
    {
        int calls = 0;
        Assert.That(NativeErrno.Retry(() => { calls++; return 3; }), Is.EqualTo(3));
        Assert.That(NativeErrno.Retry(() =>
        {
            calls++;
            Marshal.SetLastPInvokeError((int)Errno.EACCES);
            return -1;
        }), Is.EqualTo(-1));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public void AnErrnoThatStaysLostEndsAfterABoundedNumberOfCalls()
    {
        int calls = 0;
        NativeErrno.Retry(() => { calls++; Marshal.SetLastPInvokeError(0); return -1; });
        Assert.That(calls, Is.EqualTo(NativeErrno.Attempts));
    }
}
