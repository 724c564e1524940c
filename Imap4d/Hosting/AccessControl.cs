using System.Net;
using System.Net.Sockets;
using Imap4d.Config;
using Imap4d.IO;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// Applies `acl` blocks to a client address as mailutils does (libmailutils/server/acl.c):
/// controls in order, the first `allow` or `deny` that matches decides, `log` and `exec` act
/// and go on, `ifexec` decides by its program's exit status (0 allow, 1 deny, else go on).
/// The `server` block's list is checked first, then the global one; either can refuse.
/// </summary>
public sealed class AccessControl
{
    private readonly ILogger _log;
    private readonly TimeSpan _programTimeout;

    /// <param name="programTimeout">How long an `ifexec` program may run before it is killed (and does not decide).</param>
    public AccessControl(ILogger log, TimeSpan? programTimeout = null)
    {
        _log = log;
        _programTimeout = programTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>Whether <paramref name="client"/> may connect under the server block's and the global lists.</summary>
    public async Task<bool> IsAllowedAsync(GateSettings gate, IPEndPoint client, CancellationToken ct)
    {
        foreach (var acl in new[] { gate.ServerAcl, gate.Acl })
        {
            if (acl.IsEmpty)
            {
                continue;
            }

            var decision = await EvaluateAsync(acl, client, ct).ConfigureAwait(false);
            if (decision == AclDecision.Deny)
            {
                return false;
            }

            if (decision == AclDecision.Undecided)
            {
                _log.Info("{0}: undefined ACL result; access allowed", Describe(client.Address));
            }
        }

        return true;
    }

    /// <summary>Runs one list against <paramref name="client"/>.</summary>
    public async Task<AclDecision> EvaluateAsync(AccessControlList acl, IPEndPoint client, CancellationToken ct)
    {
        var address = client.Address.IsIPv4MappedToIPv6 ? client.Address.MapToIPv4() : client.Address;
        int number = 0;
        foreach (var entry in acl.Entries)
        {
            number++;
            if (!entry.From.Contains(address))
            {
                continue;
            }

            string? Variable(string name) => name switch
            {
                "address" => Describe(address),
                "port" => client.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "family" => address.AddressFamily == AddressFamily.InterNetworkV6 ? "AF_INET6" : "AF_INET",
                "aclno" => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };

            switch (entry.Action)
            {
                case AclAction.Allow:
                    return AclDecision.Allow;
                case AclAction.Deny:
                    return AclDecision.Deny;
                case AclAction.Log:
                    _log.Info(entry.Argument is null ? Describe(address) : CommandTemplate.ExpandText(entry.Argument, Variable));
                    break;
                case AclAction.Exec:
                    if (Expand(entry, Variable) is { } argv && ChildProgram.Start(argv) is { } error)
                    {
                        _log.Warn("acl exec {0}: {1}", argv[0], error);
                    }

                    break;
                case AclAction.IfExec:
                    if (Expand(entry, Variable) is { } command)
                    {
                        var result = await ChildProgram.RunAsync(command, _programTimeout, 0, ct).ConfigureAwait(false);
                        if (result.ExitCode == 0)
                        {
                            return AclDecision.Allow;
                        }

                        if (result.ExitCode == 1)
                        {
                            return AclDecision.Deny;
                        }

                        _log.Info("acl ifexec {0}: {1}; going on", command[0], result.Error ?? $"exit status {result.ExitCode}");
                    }

                    break;
            }
        }

        return AclDecision.Undecided;
    }

    private IReadOnlyList<string>? Expand(AclEntry entry, Func<string, string?> variable)
    {
        try
        {
            var argv = CommandTemplate.Expand(entry.Argument ?? "", variable);
            return argv.Count > 0 ? argv : null;
        }
        catch (FormatException e)
        {
            _log.Warn("acl {0} \"{1}\": {2}", entry.Action.ToString().ToLowerInvariant(), entry.Argument, e.Message);
            return null;
        }
    }

    private static string Describe(IPAddress address) => address.ToString();
}
