namespace Imap4d.Commands;

/// <summary>
/// The table of commands a session understands (mailutils imap4d/commands.c keeps the same
/// table). UID forms are registered under "UID NAME".
/// </summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, IImapCommand> _commands = new(StringComparer.OrdinalIgnoreCase);

    public CommandRegistry(IEnumerable<IImapCommand> commands)
    {
        foreach (var command in commands)
        {
            _commands.Add(command.Name, command);
        }
    }

    /// <summary>Every command this server implements, for an ordinary session.</summary>
    public static CommandRegistry CreateDefault() => new(
    [
        new CapabilityCommand(),
        new NoopCommand(),
        new LogoutCommand(),
        new StartTlsCommand(),
        new LoginCommand(),
        new AuthenticateCommand(),
        new IdCommand(),
        new EnableCommand(),
        new NamespaceCommand(),
        new SelectCommand(examine: false),
        new SelectCommand(examine: true),
        new CreateCommand(),
        new DeleteCommand(),
        new RenameCommand(),
        new SubscribeCommand(subscribe: true),
        new SubscribeCommand(subscribe: false),
        new ListCommand(subscribedOnly: false),
        new ListCommand(subscribedOnly: true),
        new StatusCommand(),
        new AppendCommand(),
        new CheckCommand(),
        new CloseCommand(),
        new UnselectCommand(),
        new ExpungeCommand(byUid: false),
        new ExpungeCommand(byUid: true),
        new FetchCommand(byUid: false),
        new FetchCommand(byUid: true),
        new SearchCommand(byUid: false),
        new SearchCommand(byUid: true),
        new SortCommand(byUid: false),
        new SortCommand(byUid: true),
        new CancelUpdateCommand(),
        new ThreadCommand(byUid: false),
        new ThreadCommand(byUid: true),
        new StoreCommand(byUid: false),
        new StoreCommand(byUid: true),
        new CopyCommand(byUid: false, move: false),
        new CopyCommand(byUid: true, move: false),
        new CopyCommand(byUid: false, move: true),
        new CopyCommand(byUid: true, move: true),
        new IdleCommand(),
        new NotifyCommand(),
        new CompressCommand(),
        new ReplaceCommand(byUid: false),
        new ReplaceCommand(byUid: true),
        new GetQuotaCommand(),
        new GetQuotaRootCommand(),
        new SetQuotaCommand(),
        new GenUrlAuthCommand(),
        new ResetKeyCommand(),
        new UrlFetchCommand(),
        new ComparatorCommand(),
    ]);

    public IEnumerable<IImapCommand> All => _commands.Values;

    public IImapCommand? Find(string name) => _commands.GetValueOrDefault(name);
}
