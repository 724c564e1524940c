namespace Imap4d.Hosting.Proxy;

/// <summary>The bytes before the greeting are not a valid PROXY protocol header (or never completed).</summary>
public sealed class ProxyHeaderException : Exception
{
    public ProxyHeaderException(string message)
        : base(message)
    {
    }

    public ProxyHeaderException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
