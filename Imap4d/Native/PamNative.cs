using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// The parts of Linux-PAM's application API (pam_appl.h) this server uses, from libpam.so.0.
/// Constants and struct layouts are Linux-PAM's.
/// </summary>
internal static unsafe partial class PamNative
{
    public const string Library = "libpam.so.0";

    public const int Success = 0;
    public const int BufErr = 5;
    public const int PermDenied = 6;
    public const int AuthErr = 7;
    public const int UserUnknown = 10;
    public const int MaxTries = 11;
    public const int NewAuthTokRequired = 12;
    public const int AcctExpired = 13;
    public const int ConvErr = 19;

    public const int PromptEchoOff = 1;
    public const int PromptEchoOn = 2;
    public const int ErrorMsg = 3;
    public const int TextInfo = 4;

    public const int Silent = 0x8000;
    public const int DisallowNullAuthTok = 0x0001;

    /// <summary>pam_set_item: the remote host, for the modules' logs.</summary>
    public const int ItemRHost = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public int Style;
        public byte* Text;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Response
    {
        public byte* Text;
        public int RetCode;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Conversation
    {
        public delegate* unmanaged[Cdecl]<int, Message**, Response**, void*, int> Function;
        public void* AppData;
    }

    [LibraryImport(Library, EntryPoint = "pam_start", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Start(string service, string user, Conversation* conversation, nint* handle);

    [LibraryImport(Library, EntryPoint = "pam_set_item")]
    public static partial int SetItem(nint handle, int itemType, void* item);

    [LibraryImport(Library, EntryPoint = "pam_authenticate")]
    public static partial int Authenticate(nint handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_acct_mgmt")]
    public static partial int AccountManagement(nint handle, int flags);

    [LibraryImport(Library, EntryPoint = "pam_end")]
    public static partial int End(nint handle, int status);

    [LibraryImport(Library, EntryPoint = "pam_strerror")]
    public static partial byte* StrError(nint handle, int error);

    /// <summary>Whether libpam can be loaded at all (it is missing on minimal systems).</summary>
    public static bool IsAvailable()
    {
        if (NativeLibrary.TryLoad(Library, out nint handle))
        {
            NativeLibrary.Free(handle);
            return true;
        }

        return false;
    }

    public static string Describe(nint handle, int error)
    {
        byte* text = StrError(handle, error);
        return text == null ? $"PAM error {error}" : Marshal.PtrToStringUTF8((nint)text) ?? $"PAM error {error}";
    }
}
