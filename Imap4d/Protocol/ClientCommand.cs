namespace Imap4d.Protocol;

/// <summary>
/// A complete client command: tag, upper-cased command name and the arguments after it.
/// Owns spooled literals; dispose it when the command is done.
/// </summary>
public sealed class ClientCommand(string tag, string name, IReadOnlyList<ImapArg> args) : IDisposable
{
    public string Tag { get; } = tag;

    public string Name { get; } = name;

    public IReadOnlyList<ImapArg> Args { get; } = args;

    public void Dispose()
    {
        foreach (var arg in Args)
        {
            DisposeArg(arg);
        }
    }

    private static void DisposeArg(ImapArg arg)
    {
        switch (arg)
        {
            case StringArg s:
                s.Content.Dispose();
                break;
            case ListArg l:
                foreach (var item in l.Items)
                {
                    DisposeArg(item);
                }

                break;
        }
    }
}
