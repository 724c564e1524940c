namespace Imap4d.IO;

/// <summary>The TLS certificate, key or CA file cannot be used; the message names the file and the cause.</summary>
public sealed class TlsSetupException : Exception
{
    public TlsSetupException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
