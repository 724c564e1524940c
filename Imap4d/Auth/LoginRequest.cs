using System.Net;

namespace Imap4d.Auth;

/// <summary>
/// One LOGIN or AUTHENTICATE attempt as the client made it.
/// </summary>
/// <param name="LoginName">The name as sent (authentication identity), before any normalization.</param>
/// <param name="AuthorizationIdentity">SASL PLAIN's authzid, or null/empty for "act as LoginName".</param>
/// <param name="Mechanism">LOGIN, PLAIN, ... for the log.</param>
/// <param name="ClientAddress">The client's IP address, or null (a pipe, a terminal, a Unix socket).</param>
/// <param name="ClientText">How the client is named in log lines.</param>
public sealed record LoginRequest(
    string LoginName, string Password, string? AuthorizationIdentity, string Mechanism, IPAddress? ClientAddress, string ClientText)
{
    // The password stays out of ToString so a request can never leak it into a log.
    public override string ToString() => $"{LoginName} ({Mechanism}) from {ClientText}";
}
