using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

/// <summary>A module that accepts one user/password pair, or throws, and counts its calls.</summary>
internal sealed class FakeAuthenticator(string name, string? acceptedUser = null, string? acceptedPassword = null, Exception? failure = null)
    : IAuthenticator, IUserDirectory
{
    public string Name => name;

    public int Calls { get; private set; }

    public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        Calls++;
        if (failure is not null)
        {
            throw failure;
        }
        return ValueTask.FromResult(user == acceptedUser && password == acceptedPassword ? Lookup(user) : null);
    }

    public UserInfo? Lookup(string user) => user == acceptedUser ? new UserInfo(user, "/home/" + name, Source: name) : null;
}
