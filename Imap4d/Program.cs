namespace Imap4d;

/// <summary>Entry point: parse options, load the configuration, pick a host.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        return 0;
    }
}
