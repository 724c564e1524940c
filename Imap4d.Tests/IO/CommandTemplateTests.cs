using Imap4d.IO;

namespace Imap4d.Tests.IO;

public class CommandTemplateTests
{
    private static string? Variables(string name) => name switch
    {
        "a" => "one two",
        "empty" => "",
        _ => null,
    };

    [TestCase("/bin/prog", new[] { "/bin/prog" })]
    [TestCase("  /bin/prog   x  y ", new[] { "/bin/prog", "x", "y" })]
    [TestCase("p $a ${a}", new[] { "p", "one two", "one two" })]
    [TestCase("p '$a' \"$a\" \\$a", new[] { "p", "$a", "one two", "$a" })]
    [TestCase("p x${a}y ${missing}z", new[] { "p", "xone twoy", "z" })]
    [TestCase("p \"\" '' ${empty}", new[] { "p", "", "", "" })]
    [TestCase("p \"a \\\"q\\\" b\"", new[] { "p", "a \"q\" b" })]
    [TestCase("p $ ${ ${} $-", new[] { "p", "$", "${", "${}", "$-" })]
    public void SplitsThenExpands(string template, string[] expected) =>
        Assert.That(CommandTemplate.Expand(template, Variables), Is.EqualTo(expected));

    [TestCase("p 'open")]
    [TestCase("p \"open")]
    public void UnclosedQuotesAreErrors(string template) =>
        Assert.Throws<FormatException>(() => CommandTemplate.Expand(template, Variables));

    [Test]
    public void ExpandsText() => Assert.That(CommandTemplate.ExpandText("from ${a} at $empty.", Variables), Is.EqualTo("from one two at ."));
}
