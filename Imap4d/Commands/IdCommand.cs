using System.Reflection;
using System.Runtime.InteropServices;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 2971 ID: allowed in every state (GNU imap4d refuses it before login; the RFC does not).
public sealed class IdCommand : IImapCommand
{
    private const int MaxPairs = 30;
    private const int MaxFieldLength = 30;
    private const int MaxValueLength = 1024;

    public string Name => "ID";

    public SessionStates AllowedIn => SessionStates.Any;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["ID"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var clientId = ReadClientId(args);
        args.ExpectEnd();
        if (clientId is not null)
        {
            context.Session.ClientId = clientId;
            context.Services.Log.Info("client {0} identifies as {1}", context.Session.Connection.ClientText,
                string.Join(", ", clientId.Select(kv => $"{kv.Key}={kv.Value ?? "NIL"}")));
        }

        var fields = context.Settings.IdFields
            .Select(name => (Name: name, Value: ServerField(name)))
            .Where(f => f.Value is not null)
            .ToList();
        var writer = context.Writer.Untagged().Atom("ID");
        if (fields.Count == 0)
        {
            writer.Nil();
        }
        else
        {
            writer.BeginList();
            foreach (var (name, value) in fields)
            {
                writer.String(name).String(value!);
            }

            writer.EndList();
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("ID Completed"));
    }

    /// <summary>The value of a server field named in `id-fields`; null for names we do not know.</summary>
    public static string? ServerField(string name) => name.ToLowerInvariant() switch
    {
        "name" => "imap4d",
        "version" => Version,
        "vendor" => "imap4d for .NET",
        "support-url" => "https://www.gnu.org/software/mailutils",
        "os" => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "Linux" : RuntimeInformation.OSDescription,
        "os-version" => Environment.OSVersion.Version.ToString(),
        "command" => "imap4d",
        "arguments" => string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        "environment" => ".NET " + Environment.Version,
        _ => null,
    };

    private static string Version =>
        typeof(IdCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0";

    private static Dictionary<string, string?>? ReadClientId(ArgReader args)
    {
        if (args.TryNil())
        {
            return null;
        }

        var list = args.ExpectList("ID parameter list");
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        while (!list.AtEnd)
        {
            string field = list.ExpectString("ID field");
            string? value = list.ExpectNString("ID value");
            if (field.Length > MaxFieldLength || value?.Length > MaxValueLength || result.Count >= MaxPairs)
            {
                throw new ImapSyntaxException("ID parameter too long or too many");
            }

            result[field] = value;
        }

        return result;
    }
}
