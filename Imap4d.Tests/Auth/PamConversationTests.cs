using System.Runtime.InteropServices;
using Imap4d.Native;

namespace Imap4d.Tests.Auth;

/// <summary>The PAM conversation function, called as libpam would call it.</summary>
public unsafe class PamConversationTests
{
    private static int Converse(int[] styles, out string?[] answers, out List<string> log, string?[]? texts = null)
    {
        var logged = new List<string>();
        var state = new PamConversation.State("joe", "secret", logged.Add);
        var handle = GCHandle.Alloc(state);
        var messages = (PamNative.Message*)NativeMemory.AllocZeroed((nuint)(styles.Length * sizeof(PamNative.Message)));
        var pointers = (PamNative.Message**)NativeMemory.AllocZeroed((nuint)(styles.Length * sizeof(nint)));
        var textMemory = new List<nint>();
        try
        {
            for (int i = 0; i < styles.Length; i++)
            {
                messages[i].Style = styles[i];
                nint text = Marshal.StringToCoTaskMemUTF8(texts?[i] ?? "prompt");
                textMemory.Add(text);
                messages[i].Text = (byte*)text;
                pointers[i] = &messages[i];
            }

            PamNative.Response* responses = null;
            delegate* unmanaged[Cdecl]<int, PamNative.Message**, PamNative.Response**, void*, int> converse = &PamConversation.Converse;
            int status = converse(styles.Length, pointers, &responses, (void*)GCHandle.ToIntPtr(handle));
            answers = new string?[styles.Length];
            if (responses != null)
            {
                for (int i = 0; i < styles.Length; i++)
                {
                    answers[i] = responses[i].Text == null ? null : Marshal.PtrToStringUTF8((nint)responses[i].Text);
                    LibC.Free(responses[i].Text);
                }

                LibC.Free(responses);
            }

            log = logged;
            return status;
        }
        finally
        {
            textMemory.ForEach(Marshal.FreeCoTaskMem);
            NativeMemory.Free(messages);
            NativeMemory.Free(pointers);
            handle.Free();
        }
    }

    [Test]
    public void AnswersPasswordAndNamePromptsAndLogsTexts()
    {
        int status = Converse([PamNative.PromptEchoOff, PamNative.PromptEchoOn, PamNative.TextInfo, PamNative.ErrorMsg],
            out var answers, out var log, ["Password: ", "Login: ", "hello there", "account expires soon"]);
        Assert.That(status, Is.EqualTo(PamNative.Success));
        Assert.That(answers, Is.EqualTo(new[] { "secret", "joe", null, null }));
        Assert.That(log, Is.EqualTo(new[] { "PAM info for joe: hello there", "PAM error for joe: account expires soon" }));
    }

    [Test]
    public void UnknownMessageStylesFailTheConversation()
    {
        int status = Converse([PamNative.PromptEchoOff, 7 /* PAM_BINARY_PROMPT */], out var answers, out _);
        Assert.That(status, Is.EqualTo(PamNative.ConvErr));
        Assert.That(answers, Is.All.Null, "nothing is handed back, the password copy is wiped and freed");
    }

    [Test]
    public void ABadMessageCountFailsTheConversation()
    {
        Assert.That(Converse([], out _, out _), Is.EqualTo(PamNative.ConvErr));
        Assert.That(Converse(Enumerable.Repeat(PamNative.TextInfo, 33).ToArray(), out _, out _), Is.EqualTo(PamNative.ConvErr));
    }
}
