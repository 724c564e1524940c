using System.Diagnostics;

namespace Imap4d.Tests.Support;

/// <summary>Runs a program (python3, openssl, GNU imap4d, our imap4d ...) to completion; ignores the test when it is not installed.</summary>
public static class ExternalProgram
{
    /// <summary>What a finished program wrote, each stream on its own.</summary>
    public sealed record Result(int Code, string Stdout, string Stderr);

    /// <summary>Exit code and stdout followed by stderr. Fails the test if it runs longer than <paramref name="timeout"/>.</summary>
    public static (int Code, string Output) Run(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var result = RunSeparately(program, args, stdin, timeout);
        return (result.Code, result.Stdout + result.Stderr);
    }

    /// <summary>
    /// Exit code, stdout and stderr apart. <paramref name="program"/> is a name looked up in PATH or
    /// an absolute path. Fails the test if it runs longer than <paramref name="timeout"/>.
    /// </summary>
    public static Result RunSeparately(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        string path = RepoPaths.FindProgram(program) ?? "";
        if (path.Length == 0)
        {
            Assert.Ignore($"{program} is not installed");
        }

        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} hung");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
