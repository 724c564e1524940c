using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Storage.State;

namespace Imap4d.Tests.Support;

/// <summary>
/// The mail of a transcript with <c>@store</c>: an empty INBOX of the given format in a private
/// temporary home (mailboxes a script creates get the same format), removed when disposed.
/// </summary>
public sealed class TranscriptMailStore : IDisposable
{
    private readonly string _type;

    public TranscriptMailStore(string type)
    {
        _type = type;
        Root = Directory.CreateTempSubdirectory("imap4d-transcript-").FullName;
    }

    public string Root { get; }

    /// <summary>A store over <see cref="Root"/> (a session's own, as each login makes one).</summary>
    public MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', Root, _type, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = $"{_type}://{Root}/INBOX" },
        };
        return new MailStore(settings, "demo", Root, MailDrivers.CreateDefault(new UserStateDirectory(Path.Combine(Root, ".imap4d"))), _ => null);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
