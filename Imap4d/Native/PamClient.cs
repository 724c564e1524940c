using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// One blocking PAM transaction: pam_start, pam_authenticate, pam_acct_mgmt, pam_end. Runs on
/// the calling thread; <see cref="Auth.PamAuthenticator"/> runs it off the session's path.
/// </summary>
internal static unsafe class PamClient
{
    /// <summary>How one transaction ended.</summary>
    public enum Result
    {
        /// <summary>Authenticated and the account is usable.</summary>
        Accepted,

        /// <summary>Wrong password, unknown user, expired or locked account.</summary>
        Refused,

        /// <summary>PAM itself failed (no such service, module error, ...).</summary>
        Failed,
    }

    /// <param name="remoteHost">The client's address for PAM_RHOST, or null.</param>
    /// <param name="log">Receives the modules' messages and PAM's error texts; never the password.</param>
    public static (Result Result, string? Text) Authenticate(string service, string user, string password, string? remoteHost, Action<string> log)
    {
        var state = new PamConversation.State(user, password, log);
        var handle = GCHandle.Alloc(state);
        try
        {
            var conversation = new PamNative.Conversation
            {
                Function = &PamConversation.Converse,
                AppData = (void*)GCHandle.ToIntPtr(handle),
            };
            nint pamh = 0;
            int status = PamNative.Start(service, user, &conversation, &pamh);
            if (status != PamNative.Success)
            {
                return (Result.Failed, $"pam_start: {PamNative.Describe(pamh, status)}");
            }

            if (remoteHost is not null)
            {
                byte* host = LibC.AllocCString(remoteHost);
                if (host != null)
                {
                    // PAM keeps its own copy of items.
                    PamNative.SetItem(pamh, PamNative.ItemRHost, host);
                    LibC.Free(host);
                }
            }

            // Not PAM_SILENT: the modules' messages are wanted, for the log.
            const int flags = PamNative.DisallowNullAuthTok;
            string step = "pam_authenticate";
            status = PamNative.Authenticate(pamh, flags);
            if (status == PamNative.Success)
            {
                step = "pam_acct_mgmt";
                status = PamNative.AccountManagement(pamh, flags);
            }

            string? text = status == PamNative.Success ? null : $"{step}: {PamNative.Describe(pamh, status)}";
            PamNative.End(pamh, status);
            return (Classify(status), text);
        }
        finally
        {
            handle.Free();
        }
    }

    private static Result Classify(int status) => status switch
    {
        PamNative.Success => Result.Accepted,
        PamNative.AuthErr or PamNative.UserUnknown or PamNative.MaxTries or PamNative.PermDenied
            or PamNative.AcctExpired or PamNative.NewAuthTokRequired or 8 /* CRED_INSUFFICIENT */
            or 27 /* AUTHTOK_EXPIRED */ => Result.Refused,
        _ => Result.Failed,
    };
}
