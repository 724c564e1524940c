namespace Imap4d.Config;

/// <summary>The statements gathered from every configuration source, in the order they apply.</summary>
public sealed class ConfigTree
{
    public ConfigTree(IReadOnlyList<ConfigNode> nodes, IReadOnlyList<string> files)
    {
        Nodes = nodes;
        Files = files;
    }

    public static ConfigTree Empty { get; } = new([], []);

    /// <summary>Top-level statements; later ones override earlier ones.</summary>
    public IReadOnlyList<ConfigNode> Nodes { get; }

    /// <summary>Every file that was read, includes too, in reading order.</summary>
    public IReadOnlyList<string> Files { get; }
}
