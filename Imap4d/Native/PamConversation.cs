using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// The PAM conversation function: answers password prompts (echo off) with the password and
/// echo-on prompts with the user name, as GNU Mailutils' mu_pam_conv does, and passes
/// informational and error texts to a log. Replies are calloc'ed because PAM free()s them.
/// </summary>
internal static unsafe class PamConversation
{
    /// <summary>Linux-PAM's PAM_MAX_NUM_MSG: a module asking more is broken.</summary>
    private const int MaxMessages = 32;

    /// <summary>What one conversation answers with; reached from C through a GCHandle.</summary>
    public sealed class State(string user, string password, Action<string> log)
    {
        public string User { get; } = user;

        public string Password { get; } = password;

        public Action<string> Log { get; } = log;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int Converse(int count, PamNative.Message** messages, PamNative.Response** responses, void* appData)
    {
        // Nothing may be thrown across the native frame: every failure becomes PAM_CONV_ERR.
        try
        {
            if (count <= 0 || count > MaxMessages || messages == null || responses == null || appData == null
                || GCHandle.FromIntPtr((nint)appData).Target is not State state)
            {
                return PamNative.ConvErr;
            }

            *responses = null;
            var reply = (PamNative.Response*)LibC.Calloc((nuint)count, (nuint)sizeof(PamNative.Response));
            if (reply == null)
            {
                return PamNative.BufErr;
            }

            for (int i = 0; i < count; i++)
            {
                // Linux-PAM passes an array of pointers to messages.
                PamNative.Message* message = messages[i];
                if (message == null || !Answer(message, &reply[i], state))
                {
                    FreeReplies(reply, count);
                    return PamNative.ConvErr;
                }
            }

            *responses = reply;
            return PamNative.Success;
        }
        catch (Exception)
        {
            return PamNative.ConvErr;
        }
    }

    private static bool Answer(PamNative.Message* message, PamNative.Response* reply, State state)
    {
        reply->RetCode = 0;
        switch (message->Style)
        {
            case PamNative.PromptEchoOff:
                reply->Text = LibC.AllocCString(state.Password);
                return reply->Text != null;
            case PamNative.PromptEchoOn:
                reply->Text = LibC.AllocCString(state.User);
                return reply->Text != null;
            case PamNative.TextInfo:
            case PamNative.ErrorMsg:
                string text = message->Text == null ? "" : Marshal.PtrToStringUTF8((nint)message->Text) ?? "";
                state.Log($"PAM {(message->Style == PamNative.ErrorMsg ? "error" : "info")} for {state.User}: {text}");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Frees a reply array after a failure, wiping answers first (one may be the password).</summary>
    private static void FreeReplies(PamNative.Response* reply, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (reply[i].Text != null)
            {
                int length = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(reply[i].Text).Length;
                new Span<byte>(reply[i].Text, length).Clear();
                LibC.Free(reply[i].Text);
            }
        }

        LibC.Free(reply);
    }
}
