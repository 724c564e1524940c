using System.Text.RegularExpressions;

namespace Imap4d.Tests.Support;

/// <summary>
/// A dialogue file (<c>Transcripts/&lt;command&gt;/&lt;case&gt;.imap</c>):
/// <list type="bullet">
/// <item><c>@preauth [USER]</c>, <c>@test</c>, <c>@mailstore</c> (preauthenticated, an empty in-memory mail store), <c>@users U:P ...</c>, <c>@set NAME VALUE</c>: session set-up;</item>
/// <item><c>@store mbox maildir mh</c>: a temporary mail store (see <see cref="TranscriptMailStore"/>), the script run on each type;
/// <c>@store memory</c>: an in-memory store filled by <c>@create</c> and <c>@append</c> (see TranscriptRunner.MailOf);</item>
/// <item><c>C: line</c>: sent with CRLF, <c>${name}</c> replaced by the value captured under that name; a line ending in {n} waits for the server's "+" when a C: line follows;</item>
/// <item><c>S: line</c>: the next server line must match; <c>${name}</c> matches one token and captures it
/// (a second use must be equal), <c>${*}</c> matches any text, <c>{EXTENSIONS}</c> stands for <see cref="AdvertisedExtensions.InOrder"/>;
/// <c>S: ...</c> skips untagged lines up to the next S: match;</item>
/// <item><c>S: &lt;EOF&gt;</c>: the server closes the connection; <c># comment</c> and blank lines are ignored.</item>
/// </list>
/// (The format follows dovecot imaptest's scripted tests and mailutils' imap4d testsuite.)
/// </summary>
public sealed record TranscriptScript(string Name, IReadOnlyList<TranscriptStep> Steps, IReadOnlyList<string> Directives)
{
    /// <summary><c>@store TYPE ...</c>: the script runs once on a temporary mail store of each type; empty for no store.</summary>
    public IReadOnlyList<string> StoreTypes =>
        Directives.Where(d => d.StartsWith("store ", StringComparison.Ordinal))
            .SelectMany(d => d.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();

    public static TranscriptScript Load(string path)
    {
        var steps = new List<TranscriptStep>();
        var directives = new List<string>();
        int lineNumber = 0;
        foreach (string raw in File.ReadAllLines(path))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('@'))
            {
                directives.Add(line[1..]);
            }
            else if (line.StartsWith("C: ", StringComparison.Ordinal) || line == "C:")
            {
                steps.Add(new TranscriptStep(StepKind.Send, line.Length > 3 ? line[3..] : "", lineNumber));
            }
            else if (line == "S: ...")
            {
                steps.Add(new TranscriptStep(StepKind.Skip, "", lineNumber));
            }
            else if (line == "S: <EOF>")
            {
                steps.Add(new TranscriptStep(StepKind.Eof, "", lineNumber));
            }
            else if (line.StartsWith("S: ", StringComparison.Ordinal))
            {
                steps.Add(new TranscriptStep(StepKind.Expect, line[3..].Replace(AdvertisedExtensions.Placeholder, AdvertisedExtensions.InOrder), lineNumber));
            }
            else
            {
                throw new FormatException($"{path}:{lineNumber}: unknown line: {line}");
            }
        }

        return new TranscriptScript(Path.GetFileNameWithoutExtension(path), steps, directives);
    }
}

public enum StepKind
{
    Send,
    Expect,
    Skip,
    Eof,
}

public sealed record TranscriptStep(StepKind Kind, string Text, int Line)
{
    private static readonly Regex Capture = new(@"\$\{([A-Za-z0-9_]+|\*)\}", RegexOptions.Compiled);

    /// <summary>Matches a server line against this step's pattern, recording captures.</summary>
    public bool Matches(string line, Dictionary<string, string> captures)
    {
        var names = new List<string>();
        string pattern = "^" + Capture.Replace(Regex.Escape(Text).Replace(@"\$\{", "${").Replace(@"\*}", "*}"), m =>
        {
            if (m.Groups[1].Value == "*")
            {
                return ".*?";
            }

            names.Add(m.Groups[1].Value);
            return $"(?<{m.Groups[1].Value}>[^ ]+)";
        }) + "$";
        var match = Regex.Match(line, pattern);
        if (!match.Success)
        {
            return false;
        }

        foreach (string name in names)
        {
            string value = match.Groups[name].Value;
            if (captures.TryGetValue(name, out string? earlier) && earlier != value)
            {
                return false;
            }
        }

        foreach (string name in names)
        {
            captures[name] = match.Groups[name].Value;
        }

        return true;
    }
}
