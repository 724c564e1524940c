using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class ConfigSchemaTests
{
    /// <summary>Statements GNU imap4d 3.15 accepts (from its own table, the m-server and the capabilities it loads).</summary>
    [TestCase("namespace")]
    [TestCase("namespace.mailbox-mode")]
    [TestCase("namespace.prefix")]
    [TestCase("namespace.prefix.directory")]
    [TestCase("namespace.prefix.delimiter")]
    [TestCase("namespace.prefix.mailbox-type")]
    [TestCase("namespace.prefix.mailbox-mode")]
    [TestCase("allow-users")]
    [TestCase("deny-users")]
    [TestCase("allow-groups")]
    [TestCase("deny-groups")]
    [TestCase("login-disabled")]
    [TestCase("create-home-dir")]
    [TestCase("home-dir-mode")]
    [TestCase("retain-groups")]
    [TestCase("preauth")]
    [TestCase("preauth-only")]
    [TestCase("ident-keyfile")]
    [TestCase("ident-encrypt-only")]
    [TestCase("id-fields")]
    [TestCase("mandatory-locking")]
    [TestCase("transcript")]
    [TestCase("tcp-wrappers")]
    [TestCase("tls")]
    [TestCase("tls.ssl-certificate-file")]
    [TestCase("tls.ssl-key-file")]
    [TestCase("tls.ssl-ca-file")]
    [TestCase("tls.ssl-priorities")]
    [TestCase("tls.handshake-timeout")]
    [TestCase("tls-mode")]
    [TestCase("mode")]
    [TestCase("port")]
    [TestCase("timeout")]
    [TestCase("max-children")]
    [TestCase("pidfile")]
    [TestCase("foreground")]
    [TestCase("acl")]
    [TestCase("acl.allow")]
    [TestCase("acl.deny")]
    [TestCase("acl.log")]
    [TestCase("server")]
    [TestCase("server.single-process")]
    [TestCase("server.transcript")]
    [TestCase("server.timeout")]
    [TestCase("server.backlog")]
    [TestCase("server.acl")]
    [TestCase("server.tls-mode")]
    [TestCase("server.tls")]
    [TestCase("logging.syslog")]
    [TestCase("logging.facility")]
    [TestCase("logging.tag")]
    [TestCase("logging.severity")]
    [TestCase("logging.print-severity")]
    [TestCase("logging.session-id")]
    [TestCase("debug.level")]
    [TestCase("debug.line-info")]
    [TestCase("mailbox.mail-spool")]
    [TestCase("mailbox.mailbox-pattern")]
    [TestCase("mailbox.mailbox-type")]
    [TestCase("mailbox.folder")]
    [TestCase("locking.type")]
    [TestCase("locking.retry-count")]
    [TestCase("locking.retry-sleep")]
    [TestCase("locking.expire-timeout")]
    [TestCase("locking.external-locker")]
    [TestCase("locking.pid-check")]
    [TestCase("auth.authentication")]
    [TestCase("tcp-wrappers")]
    [TestCase("pam.service")]
    [TestCase("virtdomain.passwd-dir")]
    [TestCase("gsasl")]
    [TestCase("virtual-users.file")]
    [TestCase("limits.max-line-length")]
    [TestCase("limits.max-literal-size")]
    [TestCase("limits.max-append-size")]
    [TestCase("limits.max-nesting-depth")]
    [TestCase("limits.max-bad-commands")]
    [TestCase("special-use")]
    public void SchemaKnows(string path) => Assert.That(ConfigSchema.Find(path), Is.Not.Null);

    [TestCase("namespace")]
    [TestCase("login-disabled")]
    [TestCase("id-fields")]
    [TestCase("timeout")]
    [TestCase("transcript")]
    [TestCase("logging")]
    [TestCase("virtual-users")]
    [TestCase("limits")]
    [TestCase("auth.authentication")]
    [TestCase("mode")]
    [TestCase("port")]
    [TestCase("foreground")]
    [TestCase("max-children")]
    [TestCase("pidfile")]
    [TestCase("prestart-children")]
    [TestCase("server")]
    [TestCase("server.single-process")]
    [TestCase("server.backlog")]
    [TestCase("preauth")]
    [TestCase("preauth-only")]
    [TestCase("ident-keyfile")]
    [TestCase("ident-encrypt-only")]
    [TestCase("login-timeout")]
    [TestCase("proxy-protocol")]
    [TestCase("proxy-trusted")]
    [TestCase("acl")]
    [TestCase("acl.ifexec")]
    [TestCase("server.acl")]
    [TestCase("server.acl.deny")]
    [TestCase("server.login-timeout")]
    [TestCase("server.proxy-protocol")]
    [TestCase("server.proxy-trusted")]
    [TestCase("special-use")]
    [TestCase("tls")]
    [TestCase("tls.ssl-certificate-file")]
    [TestCase("tls-mode")]
    [TestCase("server.tls-mode")]
    [TestCase("server.tls.handshake-timeout")]
    public void ImplementedEntries(string path) => Assert.That(ConfigSchema.Find(path)!.Implemented, Is.True);

    [TestCase("mandatory-locking")]
    [TestCase("tcp-wrappers")]
    [TestCase("tls-file-checks")]
    public void NotYetImplementedEntries(string path) => Assert.That(ConfigSchema.Find(path)!.Implemented, Is.False);

    [Test]
    public void EveryEntryIsDescribed() =>
        Assert.That(ConfigSchema.All().Where(e => string.IsNullOrWhiteSpace(e.Entry.Description)).Select(e => e.Path), Is.Empty);

    [Test]
    public void NamesAreUniqueWithinABlock()
    {
        var duplicates = ConfigSchema.All().GroupBy(e => e.Path).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.That(duplicates, Is.Empty);
    }

    [Test]
    public void ConfigHelpParsesBackToTheSchema()
    {
        var help = new StringWriter();
        ConfigHelp.Write(help);
        var nodes = ConfigParser.ParseText(help.ToString(), "config-help");

        var paths = new List<string>();
        void Collect(IEnumerable<ConfigNode> level, string prefix)
        {
            foreach (var node in level)
            {
                var path = prefix.Length == 0 ? node.Name : prefix + "." + node.Name;
                paths.Add(path);
                Assert.That(ConfigSchema.Find(path)?.IsBlock, Is.EqualTo(node.IsBlock), path);
                Collect(node.Children ?? [], path);
            }
        }

        Collect(nodes, "");
        Assert.That(paths, Is.EqualTo(ConfigSchema.All().Select(e => e.Path)));
    }

    [Test]
    public void ConfigHelpIsGnuStyle()
    {
        var help = new StringWriter();
        ConfigHelp.Write(help);
        Assert.That(help.ToString(), Does.Contain("# Disable the LOGIN command.\nlogin-disabled <arg: bool>;\n")
            .And.Contain("namespace <personal | other | shared> {\n")
            .And.Contain("  prefix <string> {\n    # Directory holding")
            .And.Contain("# Mandatory locking of mailboxes in use. [not implemented yet; ignored]\nmandatory-locking {\n  # Enable mandatory locking.\n"));
    }

    [Test]
    public void ShowConfigOptionsListsVersionAndSysconfdir()
    {
        var output = new StringWriter();
        ConfigHelp.ShowConfigOptions(output);
        Assert.That(output.ToString(), Does.StartWith("VERSION=").And.Contain("\nSYSCONFDIR=/etc\n"));
    }
}
