using System.Globalization;

namespace Imap4d.Config;

/// <summary>
/// Checks a statement's values against its schema type and converts them: string, long,
/// bool, TimeSpan, int (modes, ports), IReadOnlyList&lt;string&gt; (lists), HostPort, or the raw
/// values for <see cref="ConfigValueType.Any"/>. Throws <see cref="ConfigException"/> at the
/// statement's location when they do not fit.
/// </summary>
public static class ConfigValueConverter
{
    public static object Convert(ConfigSchemaEntry entry, ConfigNode node)
    {
        switch (entry.Type)
        {
            case ConfigValueType.Any:
                return node.Values;
            case ConfigValueType.StringList:
                return StringList(node);
            case ConfigValueType.TimeInterval:
                // `timeout 1 hour;` arrives as several words; mailutils wants it quoted, we take both.
                var interval = string.Join(' ', Scalars(node));
                return ConfigValueParsers.ParseTimeInterval(interval)
                    ?? throw Error(node, $"invalid time interval \"{interval}\"");
        }

        var text = SingleString(node);
        return entry.Type switch
        {
            ConfigValueType.String => text,
            ConfigValueType.Number => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw Error(node, $"\"{text}\" is not a number"),
            ConfigValueType.Boolean => ConfigValueParsers.ParseBoolean(text)
                ?? throw Error(node, $"\"{text}\" is not a boolean value (use yes, no, true, false, on, off, t, nil, 1 or 0)"),
            ConfigValueType.OctalMode => ConfigValueParsers.ParseOctalMode(text)
                ?? throw Error(node, $"\"{text}\" is not an octal file mode"),
            ConfigValueType.MailboxMode => ConfigValueParsers.ParseMailboxMode(text)
                ?? throw Error(node, $"invalid mode string \"{text}\" (expected g(+|=)[wr]+,o(+|=)[wr]+)"),
            ConfigValueType.Port => ConfigValueParsers.ParsePort(text)
                ?? throw Error(node, $"\"{text}\" is not a port number or known service name"),
            ConfigValueType.HostPort => HostPort(node, text),
            ConfigValueType.Keyword => entry.Keywords!.Contains(text)
                ? text
                : throw Error(node, $"\"{text}\" is not valid here; expected one of: {string.Join(", ", entry.Keywords!)}"),
            _ => throw new InvalidOperationException($"no conversion for {entry.Type}"),
        };
    }

    /// <summary>The value of a `server ADDR[:PORT]` label; the port is null when omitted.</summary>
    public static (string Address, int? Port) HostPort(ConfigNode node, string text) =>
        ConfigValueParsers.TryParseHostPort(text, out var address, out var port)
            ? (address, port)
            : throw Error(node, $"\"{text}\" is not a valid ADDRESS[:PORT]");

    /// <summary>`(a, b)`, `a b`, or a single string.</summary>
    private static IReadOnlyList<string> StringList(ConfigNode node)
    {
        if (node.Values is [{ Items: { } items }])
        {
            return items.Select(item => item.Text ?? throw Error(node, $"statement \"{node.Name}\" expects a list of strings, not nested lists")).ToList();
        }

        return Scalars(node);
    }

    private static List<string> Scalars(ConfigNode node)
    {
        if (node.Values.Count == 0)
        {
            throw Error(node, $"statement \"{node.Name}\" needs a value");
        }

        return node.Values
            .Select(v => v.Text ?? throw Error(node, $"statement \"{node.Name}\" does not take a list"))
            .ToList();
    }

    private static string SingleString(ConfigNode node)
    {
        var scalars = Scalars(node);
        return scalars.Count == 1
            ? scalars[0]
            : throw Error(node, $"statement \"{node.Name}\" takes one value, got {scalars.Count}");
    }

    private static ConfigException Error(ConfigNode node, string message) => new(node.Location, message);
}
