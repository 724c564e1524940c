namespace Imap4d.Auth;

/// <summary>Outcome of a shadow lookup.</summary>
internal enum ShadowLookup
{
    Found,
    NotFound,
    NotPermitted,
    Error,
}
