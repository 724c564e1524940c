using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class ConfigParserTests
{
    [TestCase("a 1;", "a 1;", TestName = "simple statement")]
    [TestCase("a;", "a;", TestName = "statement without value")]
    [TestCase("a 1 2 three;", "a 1 2 three;", TestName = "several values")]
    [TestCase("a /var/mail/$user;", "a /var/mail/$user;", TestName = "path with variable")]
    [TestCase("a $home;", "a $home;", TestName = "home variable stays literal")]
    [TestCase("server 1.2.3.4:143 { }", "server 1.2.3.4:143 { }", TestName = "address:port label")]
    [TestCase("a mbox://$home/x;", "a mbox://$home/x;", TestName = "url with // is a word")]
    [TestCase("a b#c;", "a b#c;", TestName = "hash inside a word")]
    [TestCase("a 1; # comment\nb 2;", "a 1; b 2;", TestName = "hash comment")]
    [TestCase("a 1; // comment\nb 2;", "a 1; b 2;", TestName = "slash comment")]
    [TestCase("a /* x\ny */ 1;", "a 1;", TestName = "block comment")]
    [TestCase("a \"x y\";", "a \"x y\";", TestName = "quoted string")]
    [TestCase("a \"\";", "a \"\";", TestName = "empty string")]
    [TestCase("a \"x\" \"y\";", "a xy;", TestName = "adjacent strings concatenate")]
    [TestCase("a \"x\"\n  \"y\" \"z\";", "a xyz;", TestName = "concatenation across lines")]
    [TestCase("a \"x\" y;", "a x y;", TestName = "string then word stay apart")]
    [TestCase("a \"tab\\there\";", "a \"tab\\there\";", TestName = "tab escape")]
    [TestCase("a \"q\\\"q\\\\\";", "a \"q\\\"q\\\\\";", TestName = "quote and backslash escapes")]
    [TestCase("a \"\\101\\102\";", "a AB;", TestName = "octal escapes")]
    [TestCase("a \"x\\\ny\";", "a xy;", TestName = "backslash-newline continues the string")]
    [TestCase("a \"a;b{c}\";", "a \"a;b{c}\";", TestName = "punctuation inside quotes")]
    [TestCase("a (x, y, z);", "a (x, y, z);", TestName = "list")]
    [TestCase("a (x, \"y z\",);", "a (x, \"y z\");", TestName = "list with trailing comma")]
    [TestCase("a ();", "a ();", TestName = "empty list")]
    [TestCase("a (x, (y, z));", "a (x, (y, z));", TestName = "nested list")]
    [TestCase("a (\n x,\n y\n);", "a (x, y);", TestName = "list across lines")]
    [TestCase("b { a 1; }", "b { a 1; }", TestName = "block")]
    [TestCase("b { a 1; };", "b { a 1; }", TestName = "block with semicolon")]
    [TestCase("b x { }", "b x { }", TestName = "labelled block")]
    [TestCase("b x y { }", "b x y { }", TestName = "block with two labels")]
    [TestCase("b \"\" { }", "b \"\" { }", TestName = "empty quoted label")]
    [TestCase("b { c { d 1; } e 2; }", "b { c { d 1; } e 2; }", TestName = "nested blocks")]
    [TestCase("a <<EOT\nline 1\n  line 2\nEOT\n;", "a \"line 1\\n  line 2\\n\";", TestName = "here-document")]
    [TestCase("a <<-EOT\n\tline 1\n\t\tline 2\n\tEOT\n;", "a \"line 1\\nline 2\\n\";", TestName = "here-document stripping tabs")]
    [TestCase("a <<EOT\nx # not a comment\nEOT\n; b 1;", "a \"x # not a comment\\n\"; b 1;", TestName = "here-document keeps hashes")]
    public void ParsesGrammarFeature(string text, string expected) =>
        Assert.That(ConfigText.Dump(ConfigText.Parse(text)), Is.EqualTo(expected));

    [Test]
    public void NodesKeepFileAndLine()
    {
        var nodes = ConfigText.Parse("# header\n\nlogging {\n  syslog no;\n  /* two\n  lines */ tag x;\n}\n");
        var logging = nodes.Single();
        Assert.Multiple(() =>
        {
            Assert.That(logging.Location, Is.EqualTo(new SourceLocation(ConfigText.File, 3)));
            Assert.That(logging.Children![0].Location.Line, Is.EqualTo(4));
            Assert.That(logging.Children![1].Location.Line, Is.EqualTo(6));
        });
    }

    [Test]
    public void LinesAfterHereDocumentAndContinuationAreCounted()
    {
        var nodes = ConfigText.Parse("a <<EOT\n1\n2\nEOT\n;\nb \"x\\\ny\";\nc 1;\n");
        Assert.That(nodes.Select(n => n.Location.Line), Is.EqualTo(new[] { 1, 6, 8 }));
    }

    [Test]
    public void LineDirectiveSetsLocation()
    {
        var nodes = ConfigText.Parse("#line 40 \"orig.conf\"\na 1;\n# 3 users is a comment\nb 2;\n");
        Assert.Multiple(() =>
        {
            Assert.That(nodes[0].Location, Is.EqualTo(new SourceLocation("orig.conf", 40)));
            Assert.That(nodes[1].Location, Is.EqualTo(new SourceLocation("orig.conf", 42)));
        });
    }

    [Test]
    public void IncludeIsRelativeToTheIncludingFile()
    {
        using var dir = new TempDirectory();
        dir.Write("sub/part.conf", "b 2;\n");
        var main = dir.Write("main.conf", "a 1;\ninclude sub/part.conf;\nc 3;\n");
        var nodes = ConfigParser.ParseFile(main, new ConfigReadContext());
        Assert.Multiple(() =>
        {
            Assert.That(ConfigText.Dump(nodes), Is.EqualTo("a 1; b 2; c 3;"));
            Assert.That(nodes[1].Location.File, Does.EndWith("part.conf"));
            Assert.That(nodes[1].Location.Line, Is.EqualTo(1));
        });
    }

    [Test]
    public void IncludeInsideBlock()
    {
        using var dir = new TempDirectory();
        dir.Write("log.conf", "syslog no;\n");
        var main = dir.Write("main.conf", "logging {\n  include \"log.conf\";\n}\n");
        Assert.That(ConfigText.Dump(ConfigParser.ParseFile(main, new ConfigReadContext())), Is.EqualTo("logging { syslog no; }"));
    }

    [Test]
    public void IncludeOfDirectoryReadsTheProgramsFile()
    {
        using var dir = new TempDirectory();
        dir.Write("conf.d/imap4d", "a 1;\n");
        dir.Write("conf.d/pop3d", "b 2;\n");
        dir.Write("empty.d/pop3d", "b 2;\n");
        var main = dir.Write("main.conf", "include conf.d;\ninclude empty.d;\n");
        Assert.That(ConfigText.Dump(ConfigParser.ParseFile(main, new ConfigReadContext())), Is.EqualTo("a 1;"));
    }

    [Test]
    public void HashIncludeAndIncludeOnce()
    {
        using var dir = new TempDirectory();
        dir.Write("x.conf", "x 1;\n");
        var main = dir.Write("main.conf", "#include <x.conf>\n#include_once \"x.conf\"\n#include x.conf\n");
        Assert.That(ConfigText.Dump(ConfigParser.ParseFile(main, new ConfigReadContext())), Is.EqualTo("x 1; x 1;"));
    }

    [Test]
    public void RecursiveIncludeIsAnError()
    {
        using var dir = new TempDirectory();
        var a = dir.Write("a.conf", "x 1;\ninclude b.conf;\n");
        var b = dir.Write("b.conf", "\ninclude a.conf;\n");
        var error = Assert.Throws<ConfigException>(() => ConfigParser.ParseFile(a, new ConfigReadContext()));
        Assert.That(error!.Message, Does.StartWith(Path.Combine(dir.Path, "b.conf") + ":2: recursive inclusion of"));
    }

    [Test]
    public void MissingIncludeIsAnError()
    {
        using var dir = new TempDirectory();
        var a = dir.Write("a.conf", "include nope.conf;\n");
        var error = Assert.Throws<ConfigException>(() => ConfigParser.ParseFile(a, new ConfigReadContext()));
        Assert.That(error!.Message, Is.EqualTo($"{a}:1: cannot include \"{Path.Combine(dir.Path, "nope.conf")}\": no such file"));
    }

    [Test]
    public void ValuesRoundTripThroughToString()
    {
        var text = "a \"x y\" (1, \"2 3\", ()) \"\\n\" plain \"#x\" \"//y\";";
        var once = ConfigText.Dump(ConfigText.Parse(text));
        Assert.That(ConfigText.Dump(ConfigText.Parse(once)), Is.EqualTo(once));
    }
}
