namespace Imap4d.Tests.Config;

/// <summary>Broken inputs must be reported as `FILE:LINE: message` at the right line.</summary>
public class ConfigErrorTests
{
    [TestCase("login-disabled yes;\nid-fields \"name;\n", "test.conf:2: unterminated string")]
    [TestCase("a 1;\n/* open\ncomment", "test.conf:2: unterminated comment")]
    [TestCase("x <<EOT\nbody\n", "test.conf:1: unterminated here-document")]
    [TestCase("login-disabled yes\n}\n", "test.conf:1: missing \";\" after statement \"login-disabled\"")]
    [TestCase("logging {\n  syslog no;\n", "test.conf:1: block \"logging\" is not closed (missing \"}\")")]
    [TestCase("logging {\n  syslog no;\n}\n}\n", "test.conf:4: unexpected \"}\"")]
    [TestCase("\n\nfoo 1;\n", "test.conf:3: unknown keyword \"foo\"")]
    [TestCase("logging {\n\n  colour red;\n}\n", "test.conf:3: unknown keyword \"colour\" in block \"logging\"")]
    [TestCase("homedir /home;\n", "test.conf:1: unknown keyword \"homedir\" (removed in mailutils 3.5: use a `namespace personal` block)")]
    [TestCase("\nlogin-disabled maybe;\n", "test.conf:2: \"maybe\" is not a boolean value (use yes, no, true, false, on, off, t, nil, 1 or 0)")]
    [TestCase("home-dir-mode 0999;\n", "test.conf:1: \"0999\" is not an octal file mode")]
    [TestCase("namespace personal {\n  mailbox-mode g+x;\n}\n", "test.conf:2: invalid mode string \"g+x\" (expected g(+|=)[wr]+,o(+|=)[wr]+)")]
    [TestCase("timeout 10m;\n", "test.conf:1: invalid time interval \"10m\"")]
    [TestCase("max-children many;\n", "test.conf:1: \"many\" is not a number")]
    [TestCase("port 70000;\n", "test.conf:1: \"70000\" is not a port number or known service name")]
    [TestCase("mode sideways;\n", "test.conf:1: \"sideways\" is not valid here; expected one of: inetd, interactive, daemon")]
    [TestCase("login-disabled yes no;\n", "test.conf:1: statement \"login-disabled\" takes one value, got 2")]
    [TestCase("transcript (yes);\n", "test.conf:1: statement \"transcript\" does not take a list")]
    [TestCase("logging yes;\n", "test.conf:1: \"logging\" is a block statement: use logging { ... }")]
    [TestCase("transcript { }\n", "test.conf:1: \"transcript\" is a simple statement, not a block")]
    [TestCase("namespace public { }\n", "test.conf:1: unknown namespace \"public\"; expected personal | other | shared")]
    [TestCase("namespace other {\n  prefix \"\" { }\n}\n", "test.conf:2: empty prefix not allowed in the namespace other")]
    [TestCase("namespace personal {\n prefix \"~\" { }\n}\nnamespace other {\n prefix \"~\" { }\n}\n", "test.conf:5: namespace prefix \"~\" appears twice")]
    [TestCase("namespace personal {\n  prefix \"\" {\n    delimiter \"::\";\n  }\n}\n", "test.conf:3: delimiter must be a single character")]
    [TestCase("server 1.2.3.4:http-nope { }\n", "test.conf:1: \"1.2.3.4:http-nope\" is not a valid ADDRESS[:PORT]")]
    [TestCase("preauth magic;\n", "test.conf:1: unknown preauth scheme \"magic\" (expected stdio, ident[://:PORT] or prog:///PROGRAM)")]
    [TestCase("logging {\n  facility lpr0;\n}\n", "test.conf:2: unknown syslog facility \"lpr0\"")]
    [TestCase("a (x y);\n", "test.conf:1: expected \",\" or \")\" in list, found \"y\"")]
    [TestCase("; a 1;\n", "test.conf:1: unexpected \";\"")]
    public void ReportsErrorAtItsLine(string text, string expected) =>
        Assert.That(ConfigText.ErrorOf(text), Is.EqualTo(expected));
}
