using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>A failed libc call: the function's name and the errno it left.</summary>
public sealed class NativeError : IOException
{
    public NativeError(string function, int errno)
        : base($"{function}: {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Function = function;
        Errno = errno;
    }

    public string Function { get; }

    /// <summary>The errno value (Linux numbering).</summary>
    public int Errno { get; }

    /// <summary>Throws for the errno the last P/Invoke left (declared with SetLastError).</summary>
    public static NativeError FromLastError(string function) => new(function, Marshal.GetLastPInvokeError());

    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EPERM = 1;
    public const int ESRCH = 3;
}
