using System.Text;
using System.Text.RegularExpressions;

namespace Imap4d.Tests.Config;

/// <summary>
/// Turns the output of GNU imap4d's `--config-help` into a configuration that uses every
/// statement and block it documents, each in every value form it documents (every keyword of
/// `a|b|c`, both booleans, a list and a single string for lists, each preauth form...).
/// The sample values are chosen so that GNU imap4d itself accepts the result silently.
/// </summary>
internal static partial class GnuConfigHelp
{
    /// <summary>Documented forms GNU itself does not accept; it would be wrong to require them of us.</summary>
    private static readonly HashSet<string> RejectedByGnu =
    [
        "requred",   // the global tls-mode's help misspells `required`; GNU says "not a valid tls keyword"
        "<number>",  // logging.facility: GNU 3.15 answers "unknown syslog facility `3'"
        "odbc",      // sql.interface: Debian's GNU is built without ODBC ("unknown SQL interface")
    ];

    public static string FixturePath =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "gnu", "imap4d-3.15-config-help.txt");

    /// <param name="scratch">A directory for the files and directories statements name (include, directory...).</param>
    public static string ToConfiguration(string help, string scratch)
    {
        var output = new StringBuilder();
        var indent = "";
        var openBlocks = new Stack<(int Start, string Head, string[] OtherLabels)>();
        foreach (var raw in help.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line == "};")
            {
                indent = indent[2..];
                output.Append(indent).Append("};\n");
                var (start, head, otherLabels) = openBlocks.Pop();
                var block = output.ToString(start, output.Length - start);
                foreach (var label in otherLabels)
                {
                    // `namespace personal | other | shared`: the same block once per kind, each with its own prefix.
                    output.Append(block.Replace(head, head.Split(' ')[0] + " " + label).Replace("#gnu-help:", $"#gnu-help-{label}:"));
                }

                continue;
            }

            if (line.EndsWith('{'))
            {
                var words = line[..^1].Trim().Split(' ', 2);
                var labels = words.Length > 1 ? BlockLabels(words[0], words[1]) : [];
                var blockHead = labels.Length > 0 ? words[0] + " " + labels[0] : words[0];
                openBlocks.Push((output.Length, blockHead, labels.Skip(1).ToArray()));
                output.Append(indent).Append(blockHead);

                output.Append(" {\n");
                indent += "  ";
                continue;
            }

            var statement = StatementPattern().Match(line);
            if (!statement.Success)
            {
                throw new FormatException($"unexpected --config-help line: {line}");
            }

            var name = statement.Groups["name"].Value;
            var arguments = ArgumentPattern().Matches(statement.Groups["args"].Value)
                .Select(m => (Name: m.Groups["arg"].Value, Type: m.Groups["type"].Value.Trim()))
                .ToList();
            foreach (var values in ValueForms(name, arguments, scratch))
            {
                output.Append(indent).Append(name).Append(' ').Append(values).Append(";\n");
            }
        }

        return output.ToString();
    }

    /// <summary>The labels a block is written with: `namespace personal | other | shared` once per kind.</summary>
    private static string[] BlockLabels(string block, string label) => block switch
    {
        "namespace" => label.Split('|').Select(l => l.Trim()).ToArray(),
        "prefix" => ["\"#gnu-help:\""],
        "server" => ["127.0.0.1:11143"],
        _ => throw new FormatException($"unknown labelled block {block} {label}"),
    };

    /// <summary>Each documented form of one statement's arguments, as configuration text.</summary>
    private static IEnumerable<string> ValueForms(string name, List<(string Name, string Type)> arguments, string scratch)
    {
        if (arguments.Count == 2)
        {
            // acl exec/ifexec: <addr: IP> <program: string>
            foreach (var address in Forms(name, arguments[0].Name, arguments[0].Type, scratch))
            {
                yield return address + " \"/bin/true\"";
            }

            yield break;
        }

        var (argument, type) = arguments.Single();
        foreach (var form in Forms(name, argument, type, scratch))
        {
            yield return form;
        }
    }

    private static IEnumerable<string> Forms(string name, string argument, string type, string scratch)
    {
        switch (name)
        {
            case "include":
                // The directory form is allowed only in the site-wide file (GNU ignores it elsewhere).
                File.WriteAllText(Path.Combine(scratch, "included.conf"), "transcript no;\n");
                return [Quote(Path.Combine(scratch, "included.conf"))];
            case "preauth":
                return ["stdio", "ident", "\"ident://:113\"", "\"prog:///bin/true\""];
            case "mailbox-mode":
                return ["\"g+rw,o=r\"", "\"g=r,o+w\""];
            case "directory" or "folder" or "passwd-dir" or "lock-directory":
                return [Quote(scratch)];
            case "mail-spool":
                return [Quote(scratch), Quote("mbox://" + scratch)];
            case "mailbox-pattern":
                return [Quote(scratch + "/${user}")];
            case "mailbox-type":
                return ["mbox", "maildir", "mh"];
            case "authentication" or "authorization":
                return ["system", "\"generic:system\"", "clear"];
            case "level":
                return ["\"acl\""];
            case "external-locker" or "cram-passwd" or "ident-keyfile" or "allow-table" or "deny-table":
                return [Quote("/bin/true")];
            case "field-map":
                return ["\"name=user:passwd=password:uid=uid\""];
            case "key-file" or "cert-file" or "ca-file":
                return ["none", "(gwrfil, awrfil)"];
            case "pidfile":
                return [Quote(Path.Combine(scratch, "imap4d.pid"))];
            case "flags":
                return ["\"ERTP\""];
            case "url":
                return ["\"ldap://localhost\""];
        }

        if (type.Contains('|'))
        {
            return type.Split('|').Select(t => t.Trim())
                .SelectMany(t => t == "local0-local7" ? Enumerable.Range(0, 8).Select(i => "local" + i) : [t])
                .Where(t => !RejectedByGnu.Contains(t));
        }

        return type switch
        {
            "string" => [Quote(argument == "file" ? Path.Combine(scratch, "file") : "imap4d")],
            "boolean" or "bool" => ["yes", "no", "true", "off"],
            "number" or "integer" or "callback" => ["3"],
            "octal" => ["0700"],
            "character" => ["\".\""],
            "interval" => ["10", "\"2 minutes\""],
            "time" => ["1800"],
            "list" or "list of string" => ["(mail, users)", "mail"],
            "IP" => ["127.0.0.1", "from 10.0.0.0/8", "from any"],
            "port number or service name" => ["143", "imap"],
            _ => throw new FormatException($"no sample value for {name} <{argument}: {type}>"),
        };
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex(@"^(?<name>[a-z0-9-]+)\s+(?<args>.*);$")]
    private static partial Regex StatementPattern();

    /// <summary>`&lt;name: type&gt;`, where the type may itself hold `&lt;number&gt;`.</summary>
    [GeneratedRegex(@"<(?<arg>[a-z-]+):\s*(?<type>(?:[^<>]|<[^<>]*>)*)>")]
    private static partial Regex ArgumentPattern();
}
