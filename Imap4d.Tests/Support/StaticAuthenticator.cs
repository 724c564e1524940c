using Imap4d.Auth;

namespace Imap4d.Tests.Support;

/// <summary>A fixed table of users and passwords, for session tests.</summary>
public sealed class StaticAuthenticator(params (string User, string Password)[] users) : IAuthenticator
{
    public string Name => "static";

    public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        bool ok = users.Any(u => u.User == user && u.Password == password);
        return ValueTask.FromResult(ok ? new UserInfo(user, "/nonexistent/" + user) : null);
    }
}
