using System.Runtime.InteropServices;
using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Tests.Native;

public class LostErrnoTests
{
    // The runtime can hand back errno 0 for a failed call (dotnet/runtime#77364); the stress run
    // turned such an ENOENT into "NO [UNAVAILABLE] Cannot access mailbox". A failure with errno 0
    // is asked again, and the real errno decides.
    [Test]
    public void AFailureWhoseErrnoWasLostIsAskedAgain()
    {
        int calls = 0;
        int result = LostErrno.Retry(() =>
        {
            calls++;
            Marshal.SetLastPInvokeError(calls == 1 ? 0 : (int)NativeConvert.FromErrno(Errno.ENOENT));
            return -1;
        });

        Assert.That((result, calls, Stdlib.GetLastError()), Is.EqualTo((-1, 2, Errno.ENOENT)));
    }

    [Test]
    public void ASuccessOrARealErrnoIsNotRepeated()
    {
        int calls = 0;
        Assert.That(LostErrno.Retry(() => { calls++; return 3; }), Is.EqualTo(3));
        Assert.That(LostErrno.Retry(() =>
        {
            calls++;
            Marshal.SetLastPInvokeError((int)NativeConvert.FromErrno(Errno.EACCES));
            return -1;
        }), Is.EqualTo(-1));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public void AnErrnoThatStaysLostEndsAfterABoundedNumberOfCalls()
    {
        int calls = 0;
        LostErrno.Retry(() => { calls++; Marshal.SetLastPInvokeError(0); return -1; });
        Assert.That(calls, Is.EqualTo(LostErrno.Attempts));
    }
}
