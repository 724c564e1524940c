using System.Text;
using Imap4d.Config;
using Imap4d.IO;
using NLog;

namespace Imap4d.Delivery;

/// <summary>
/// Runs the delivery filter (`filter { command ...; }`, after maddy's imap.filter.command) on one
/// message: the command line is split into words, `{name}` placeholders are replaced in the
/// arguments only (never in the program name, and a value never becomes more than one
/// argument), and the program runs without a shell, with the message on its standard input.
/// Any failure (cannot start, times out, exits non-zero, prints garbage) returns null and
/// logs why: the caller then delivers to the default folder, unfiltered.
/// </summary>
public sealed class MessageFilter
{
    /// <summary>More output than this is garbage (a folder name and a few flags are all a filter says).</summary>
    private const int MaxOutput = 16 * 1024;

    private readonly FilterSettings _settings;
    private readonly ILogger _log;

    public MessageFilter(FilterSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
    }

    /// <summary>The placeholder names a command line may use.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["account_name", "sender", "source_ip", "source_host", "msg_id", "auth_user"];

    /// <summary>The argv of <paramref name="template"/> with placeholders replaced from <paramref name="values"/>; throws FormatException on bad quoting.</summary>
    public static IReadOnlyList<string> Expand(string template, IReadOnlyDictionary<string, string> values)
    {
        var words = CommandTemplate.Words(template);
        var argv = new List<string>(words.Count);
        for (int i = 0; i < words.Count; i++)
        {
            argv.Add(i == 0 ? words[i] : ExpandWord(words[i], values));
        }

        return argv;
    }

    private static string ExpandWord(string word, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder();
        int i = 0;
        while (i < word.Length)
        {
            int open = word.IndexOf('{', i);
            int close = open < 0 ? -1 : word.IndexOf('}', open + 1);
            if (close < 0)
            {
                result.Append(word, i, word.Length - i);
                break;
            }

            result.Append(word, i, open - i);
            string name = word[(open + 1)..close];
            if (Placeholders.Contains(name))
            {
                result.Append(values.GetValueOrDefault(name, ""));
            }
            else
            {
                result.Append(word, open, close + 1 - open);
            }

            i = close + 1;
        }

        return result.ToString();
    }

    /// <summary>Runs <paramref name="template"/> on <paramref name="message"/>; the verdict, or null (logged) when the filter failed.</summary>
    public async Task<FilterVerdict?> RunAsync(string template, IncomingMessage message, IReadOnlyDictionary<string, string> values, string user, CancellationToken ct)
    {
        IReadOnlyList<string> argv;
        try
        {
            argv = Expand(template, values);
        }
        catch (FormatException e)
        {
            _log.Error("filter for {0}: bad command line: {1}; delivering unfiltered", user, e.Message);
            return null;
        }

        if (argv.Count == 0 || !Path.IsPathFullyQualified(argv[0]))
        {
            _log.Error("filter for {0}: the command must start with an absolute program path; delivering unfiltered", user);
            return null;
        }

        // The filter reads its own copy: one that hangs on to its input must not hold the spool.
        using var input = new SpillStream(1 << 20);
        message.CopyTo(input);
        input.Position = 0;
        var result = await ChildProgram.RunAsync(argv, input, _settings.Timeout, MaxOutput, ct).ConfigureAwait(false);
        if (result.ExitCode is not int code)
        {
            _log.Warn("filter {0} for {1} failed ({2}); delivering unfiltered", argv[0], user, result.Error ?? "no exit status");
            return null;
        }

        if (code != 0)
        {
            _log.Warn("filter {0} for {1} exited with status {2}{3}; delivering unfiltered", argv[0], user, code,
                result.Error is { } stderr ? ": " + stderr : "");
            return null;
        }

        if (Encoding.UTF8.GetByteCount(result.Output) >= MaxOutput)
        {
            _log.Warn("filter {0} for {1} printed more than {2} bytes; delivering unfiltered", argv[0], user, MaxOutput);
            return null;
        }

        var verdict = FilterOutput.Parse(result.Output, out string? problem);
        if (verdict is null)
        {
            _log.Warn("filter {0} for {1}: {2}; delivering unfiltered", argv[0], user, problem);
        }

        return verdict;
    }
}
