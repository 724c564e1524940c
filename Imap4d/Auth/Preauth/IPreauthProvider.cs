using System.Net;

namespace Imap4d.Auth.Preauth;

/// <summary>Names the user a connection belongs to without a password (`preauth ident` or `prog`).</summary>
public interface IPreauthProvider
{
    /// <summary>
    /// The user name, or null when the connection cannot be preauthenticated (the reason is
    /// logged). <paramref name="client"/> and <paramref name="server"/> are the connection's ends
    /// as the client sees them (the PROXY header's when there is one); null when unknown.
    /// Never throws for network or program failures.
    /// </summary>
    ValueTask<string?> GetUserAsync(IPEndPoint? client, IPEndPoint? server, CancellationToken ct);
}
