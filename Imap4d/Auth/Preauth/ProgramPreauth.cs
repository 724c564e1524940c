using System.Globalization;
using System.Net;
using Imap4d.Config;
using Imap4d.IO;
using NLog;

namespace Imap4d.Auth.Preauth;

/// <summary>
/// `preauth prog:///PROGRAM ARGS`: runs the program with ${client_address}, ${client_port},
/// ${server_address} and ${server_port} expanded in its arguments; the first line it prints is
/// the user (mailutils imap4d/preauth.c do_preauth_program). A non-zero exit, no output, or
/// the timeout means no preauthentication.
/// </summary>
public sealed class ProgramPreauth : IPreauthProvider
{
    /// <summary>Output kept from the program; a user name fits many times over.</summary>
    private const int MaxOutput = 4096;

    private readonly PreauthSettings _settings;
    private readonly ILogger _log;

    public ProgramPreauth(PreauthSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
    }

    /// <summary>The program's argument vector for a connection.</summary>
    public static IReadOnlyList<string> CommandLine(string template, IPEndPoint? client, IPEndPoint? server) =>
        CommandTemplate.Expand(template, name => name switch
        {
            "client_address" => Unmapped(client)?.ToString(),
            "client_port" => client?.Port.ToString(CultureInfo.InvariantCulture),
            "server_address" => Unmapped(server)?.ToString(),
            "server_port" => server?.Port.ToString(CultureInfo.InvariantCulture),
            _ => null,
        });

    public async ValueTask<string?> GetUserAsync(IPEndPoint? client, IPEndPoint? server, CancellationToken ct)
    {
        IReadOnlyList<string> argv;
        try
        {
            argv = CommandLine(_settings.Program ?? "", client, server);
        }
        catch (FormatException e)
        {
            _log.Error("cannot expand preauth program \"{0}\": {1}", _settings.Program, e.Message);
            return null;
        }

        if (argv.Count == 0)
        {
            _log.Error("preauth program \"{0}\" expands to an empty line", _settings.Program);
            return null;
        }

        var result = await ChildProgram.RunAsync(argv, _settings.Timeout, MaxOutput, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            _log.Info("preauth program {0}: {1}", argv[0], result.Error ?? $"exit status {result.ExitCode}");
            return null;
        }

        string user = result.Output.Split('\n', 2)[0].TrimEnd('\r');
        return user.Length == 0 ? null : user;
    }

    private static IPAddress? Unmapped(IPEndPoint? endPoint) =>
        endPoint?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : endPoint?.Address;
}
