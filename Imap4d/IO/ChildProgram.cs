using System.Diagnostics;
using System.Text;

namespace Imap4d.IO;

/// <summary>
/// Runs a helper program (acl `exec`/`ifexec`, `preauth prog://`) without a shell. Its
/// standard input is empty and its output goes to pipes: in inetd mode our own fds 0-2 are
/// the client's socket, which a helper must never see.
/// </summary>
public static class ChildProgram
{
    /// <summary>
    /// Runs <paramref name="argv"/> to completion, at most <paramref name="timeout"/> (then it is
    /// killed). Returns the exit code (null when it could not start, was killed, or died of a
    /// signal) and the first <paramref name="maxOutput"/> bytes of its standard output; the rest
    /// is read and dropped so the program never blocks on a full pipe.
    /// </summary>
    public static Task<ChildProgramResult> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, int maxOutput, CancellationToken ct) =>
        RunAsync(argv, null, timeout, maxOutput, ct);

    /// <summary>
    /// As <see cref="RunAsync(IReadOnlyList{string}, TimeSpan, int, CancellationToken)"/>, with
    /// <paramref name="input"/> (when given) copied to the program's standard input. A program
    /// that exits without reading it all is no error.
    /// </summary>
    public static async Task<ChildProgramResult> RunAsync(IReadOnlyList<string> argv, Stream? input, TimeSpan timeout, int maxOutput, CancellationToken ct)
    {
        using var process = TryStart(argv, out string? error, keepInput: input is not null);
        if (process is null)
        {
            return new ChildProgramResult(null, "", error);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var output = new BoundedBuffer(maxOutput);
        var errors = new BoundedBuffer(1024);
        var drained = Task.WhenAll(output.DrainAsync(process.StandardOutput.BaseStream), errors.DrainAsync(process.StandardError.BaseStream));
        var fed = input is null ? Task.CompletedTask : FeedAsync(input, process.StandardInput.BaseStream);
        bool killed = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            killed = true;
        }

        // A background grandchild may keep the pipes open; do not wait for it.
        await Task.WhenAny(Task.WhenAll(drained, fed), Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (killed)
        {
            return new ChildProgramResult(null, output.Text, $"killed after {timeout.TotalSeconds:0.#} s");
        }

        string stderr = errors.Text.Trim();
        // .NET reports death by signal N as 128+N; the helper protocols only know 0 and 1 anyway.
        return new ChildProgramResult(process.ExitCode, output.Text, stderr.Length == 0 ? null : stderr);
    }

    /// <summary>Starts <paramref name="argv"/> and lets it run (GNU's acl `exec`); its output is drained in the background.</summary>
    public static string? Start(IReadOnlyList<string> argv)
    {
        var process = TryStart(argv, out string? error);
        if (process is null)
        {
            return error;
        }

        _ = Task.Run(async () =>
        {
            using (process)
            {
                await Task.WhenAll(new BoundedBuffer(0).DrainAsync(process.StandardOutput.BaseStream),
                    new BoundedBuffer(0).DrainAsync(process.StandardError.BaseStream)).ConfigureAwait(false);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        });
        return null;
    }

    /// <summary>Copies <paramref name="input"/> to the program and closes its standard input; a closed pipe ends the copy quietly.</summary>
    private static async Task FeedAsync(Stream input, Stream stdin)
    {
        try
        {
            await input.CopyToAsync(stdin).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private static Process? TryStart(IReadOnlyList<string> argv, out string? error, bool keepInput = false)
    {
        error = null;
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            error = "empty command line";
            return null;
        }

        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            var process = Process.Start(info);
            if (process is null)
            {
                error = "not started";
                return null;
            }

            if (!keepInput)
            {
                process.StandardInput.Close();
            }

            return process;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Keeps the first bytes of a pipe and reads the rest to the end.</summary>
    private sealed class BoundedBuffer(int max)
    {
        private readonly MemoryStream _kept = new();

        public string Text
        {
            get
            {
                lock (_kept)
                {
                    return Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
                }
            }
        }

        public async Task DrainAsync(Stream stream)
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    lock (_kept)
                    {
                        int keep = Math.Min(n, max - (int)_kept.Length);
                        if (keep > 0)
                        {
                            _kept.Write(buffer, 0, keep);
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
