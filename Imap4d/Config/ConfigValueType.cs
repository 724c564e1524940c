namespace Imap4d.Config;

/// <summary>What a statement's value must look like; drives type checking and `--config-help`.</summary>
public enum ConfigValueType
{
    /// <summary>A block: its children are statements.</summary>
    Block,

    /// <summary>One string.</summary>
    String,

    /// <summary>A non-negative decimal integer.</summary>
    Number,

    /// <summary>yes/on/t/true/1 or no/off/nil/false/0.</summary>
    Boolean,

    /// <summary>Seconds, or GNU's `N unit ...` form, e.g. `1 hour 30 minutes`.</summary>
    TimeInterval,

    /// <summary>An octal file mode such as `0755`.</summary>
    OctalMode,

    /// <summary>GNU's mailbox permission string `g(+|=)[wr]+,o(+|=)[wr]+` (an octal mode is accepted too).</summary>
    MailboxMode,

    /// <summary>A list `(a, b)`, or one or more strings.</summary>
    StringList,

    /// <summary>`ADDR[:PORT]`, IPv6 addresses in brackets.</summary>
    HostPort,

    /// <summary>A port number or a service name.</summary>
    Port,

    /// <summary>One of <see cref="ConfigSchemaEntry.Keywords"/>.</summary>
    Keyword,

    /// <summary>Any number of values of any shape (checked by the feature that implements the statement).</summary>
    Any,
}
