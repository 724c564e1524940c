using Imap4d.Config;

namespace Imap4d.Tests.Config;

/// <summary>Helpers: parse configuration text and print nodes back compactly for table assertions.</summary>
internal static class ConfigText
{
    public const string File = "test.conf";

    public static IReadOnlyList<ConfigNode> Parse(string text) => ConfigParser.ParseText(text, File);

    public static string Dump(IEnumerable<ConfigNode> nodes) => string.Join(" ", nodes.Select(Dump));

    public static string Dump(ConfigNode node)
    {
        var head = node.Name + string.Concat(node.Values.Select(v => " " + v));
        return node.IsBlock ? $"{head} {{ {Dump(node.Children!)} }}".Replace("{  }", "{ }") : head + ";";
    }

    public static ServerSettings Bind(string text) => Bind(text, out _);

    public static ServerSettings Bind(string text, out IReadOnlyList<string> warnings) =>
        SettingsBinder.Bind(new ConfigTree(Parse(text), [File]), out warnings);

    /// <summary>The message of the ConfigException parsing and binding the text throws.</summary>
    public static string ErrorOf(string text)
    {
        var error = Assert.Throws<ConfigException>(() => Bind(text));
        return error!.Message;
    }
}
