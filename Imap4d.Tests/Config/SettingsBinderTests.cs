using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class SettingsBinderTests
{
    [Test]
    public void EmptyConfigurationGivesDefaults()
    {
        var settings = ConfigText.Bind("", out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            var defaults = new ServerSettings();
            Assert.That(
                settings with { Namespaces = defaults.Namespaces, Servers = defaults.Servers, IdFields = defaults.IdFields, AuthenticationModules = defaults.AuthenticationModules },
                Is.EqualTo(defaults));
            Assert.That(settings.Servers, Is.Empty);
            Assert.That(settings.IdFields, Is.EqualTo(defaults.IdFields));
            Assert.That(settings.AuthenticationModules, Is.EqualTo(defaults.AuthenticationModules));
            Assert.That(settings.Namespaces.Personal, Is.EqualTo(new[] { NamespaceSettings.DefaultPersonalPrefix }));
            Assert.That(settings.Namespaces.Other, Is.Empty);
            Assert.That(settings.Namespaces.Shared, Is.Empty);
        });
    }

    [Test]
    public void BindsTopLevelStatements()
    {
        var settings = ConfigText.Bind("""
            login-disabled yes;
            id-fields (name, version, os);
            timeout "1 hour 30 minutes";
            transcript on;
            preauth stdio;
            mode daemon;
            port 1143;
            foreground t;
            max-children 7;
            virtual-users { file /etc/imap4d/users; }
            """, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.LoginDisabled, Is.True);
            Assert.That(settings.IdFields, Is.EqualTo(new[] { "name", "version", "os" }));
            Assert.That(settings.IdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(90)));
            Assert.That(settings.Transcript, Is.True);
            Assert.That(settings.Preauth, Is.EqualTo("stdio"));
            Assert.That(settings.Mode, Is.EqualTo("daemon"));
            Assert.That(settings.Port, Is.EqualTo(1143));
            Assert.That(settings.Foreground, Is.True);
            Assert.That(settings.MaxChildren, Is.EqualTo(7));
            Assert.That(settings.UserDatabaseFile, Is.EqualTo("/etc/imap4d/users"));
        });
    }

    [Test]
    public void DaemonStatementsBindPidFileAndPool()
    {
        var settings = ConfigText.Bind("pidfile /run/imap4d.pid;\nprestart-children 0;", out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Daemon.PidFile, Is.EqualTo("/run/imap4d.pid"));
            Assert.That(settings.Daemon.PrestartChildren, Is.Zero);
            Assert.That(new ServerSettings().Daemon, Is.EqualTo(new DaemonSettings { PidFile = null, PrestartChildren = 2 }));
        });
    }

    [Test]
    public void UnquotedMultiWordIntervalIsAccepted() =>
        Assert.That(ConfigText.Bind("timeout 2 minutes;").IdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(2)));

    [Test]
    public void InteractiveModeMeansInetd() => Assert.That(ConfigText.Bind("mode interactive;").Mode, Is.EqualTo("inetd"));

    [Test]
    public void LaterStatementsWin() => Assert.That(ConfigText.Bind("login-disabled yes;\nlogin-disabled no;").LoginDisabled, Is.False);

    [Test]
    public void BindsLoggingAndLimits()
    {
        var settings = ConfigText.Bind("""
            logging { syslog no; facility LOCAL3; tag imapd; severity notice; print-severity yes; session-id yes; }
            limits { max-line-length 8192; max-literal-size 100000; max-append-size 1000000; max-nesting-depth 10; max-arguments 500; max-bad-commands 3; }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Logging, Is.EqualTo(new LoggingSettings
            {
                Syslog = false, Facility = "local3", Tag = "imapd", Severity = "notice", PrintSeverity = true, SessionId = true,
            }));
            Assert.That(settings.Limits, Is.EqualTo(new ProtocolLimits
            {
                MaxLineLength = 8192, MaxLiteralSize = 100000, MaxAppendSize = 1000000, MaxNestingDepth = 10, MaxArguments = 500, MaxBadCommands = 3,
            }));
        });
    }

    [TestCase("auth { authentication system; }", new[] { "system" })]
    [TestCase("auth { authentication (generic, system); }", new[] { "generic", "system" })]
    [TestCase("auth { authentication \"pam:system\"; }", new[] { "pam", "system" })]
    [TestCase("auth { authentication pam; authentication system; }", new[] { "pam", "system" })]
    [TestCase("auth { authentication pam; authentication (clear, generic); }", new[] { "generic" })]
    public void AuthenticationList(string text, string[] expected) =>
        Assert.That(ConfigText.Bind(text).AuthenticationModules, Is.EqualTo(expected));

    [Test]
    public void BindsNamespaces()
    {
        var settings = ConfigText.Bind("""
            namespace personal {
              prefix "" { directory "$home/mail"; }
              prefix "#mh/" { directory "$home/Mail"; mailbox-type mh; }
            }
            namespace other {
              mailbox-mode g+r;
              prefix "~" { directory "/home/$user/mail"; delimiter "."; }
            }
            namespace shared {
              mailbox-mode "g+rw,o+r";
              prefix "#shared/" { directory /var/imap/shared/; mailbox-mode "g=rw"; }
              prefix "public" { }
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Namespaces.Personal, Is.EqualTo(new[]
            {
                new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", null, null),
                new NamespacePrefix(NamespaceKind.Personal, "#mh/", '/', "$home/Mail", "mh", null),
            }));
            Assert.That(settings.Namespaces.Other, Is.EqualTo(new[]
            {
                new NamespacePrefix(NamespaceKind.Other, "~", '.', "/home/$user/mail", null, 0x1A0),
            }));
            Assert.That(settings.Namespaces.Shared, Is.EqualTo(new[]
            {
                new NamespacePrefix(NamespaceKind.Shared, "#shared/", '/', "/var/imap/shared", null, 0x1B0),
                new NamespacePrefix(NamespaceKind.Shared, "public", '/', "public", null, 0x1B4),
            }));
        });
    }

    [Test]
    public void DefaultPersonalPrefixIsAddedWhenNoneIsEmpty()
    {
        var settings = ConfigText.Bind("namespace other { prefix \"~\" { directory /home/$user; } }");
        Assert.Multiple(() =>
        {
            Assert.That(settings.Namespaces.Personal, Is.EqualTo(new[] { NamespaceSettings.DefaultPersonalPrefix }));
            Assert.That(settings.Namespaces.Other.Single().Directory, Is.EqualTo("/home/$user"));
        });
    }

    [Test]
    public void PrivateIsAnAliasOfPersonal() =>
        Assert.That(ConfigText.Bind("namespace private { prefix \"\" { directory /m; } }").Namespaces.Personal.Single().Directory, Is.EqualTo("/m"));

    [Test]
    public void ServerBlocksBecomeListeners()
    {
        var settings = ConfigText.Bind("""
            port 1143;
            server 0.0.0.0 { transcript yes; }
            server 127.0.0.1:993 { timeout 60; }
            server [::1]:imap { }
            server 127.0.0.1:993 { transcript no; }
            """, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Servers, Is.EqualTo(new[]
            {
                new ListenerSettings("0.0.0.0", 1143) { Transcript = true },
                new ListenerSettings("127.0.0.1", 993) { IdleTimeout = TimeSpan.FromSeconds(60), Transcript = false },
                new ListenerSettings("::1", 143),
            }));
        });
    }

    [Test]
    public void ServerBlockSettingsApplyToConnectionsOnItsAddress()
    {
        var settings = ConfigText.Bind("""
            timeout 100;
            server 0.0.0.0:143 { transcript yes; }
            server 127.0.0.1:993 { timeout 60; }
            """);
        var onImaps = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("::ffff:127.0.0.1"), 993));
        var onImap = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 143));
        var elsewhere = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2143));
        Assert.Multiple(() =>
        {
            Assert.That(onImaps.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(onImaps.Transcript, Is.False);
            Assert.That(onImap.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(100)));
            Assert.That(onImap.Transcript, Is.True);
            Assert.That(elsewhere, Is.SameAs(settings));
            Assert.That(settings.ForLocalEndPoint(null), Is.SameAs(settings));
        });
    }

    [Test]
    public void UnimplementedStatementsWarnAndAreIgnored()
    {
        ConfigText.Bind("""
            tls {
              ssl-certificate-file /etc/ssl/cert.pem;
            }
            create-home-dir yes;
            logging { syslog no; }
            server 0.0.0.0:143 {
              tls-mode connection;
              acl { allow from 127.0.0.1; }
            }
            auth { authorization system; }
            preauth ident;
            """, out var warnings);
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "test.conf:1: warning: statement \"tls\" is not implemented yet; ignored",
            "test.conf:4: warning: statement \"create-home-dir\" is not implemented yet; ignored",
            "test.conf:7: warning: statement \"server.tls-mode\" is not implemented yet; ignored",
            "test.conf:8: warning: statement \"server.acl\" is not implemented yet; ignored",
            "test.conf:10: warning: statement \"auth.authorization\" is not implemented yet; ignored",
            "test.conf:11: warning: preauth mode \"ident\" is not implemented yet; ignored",
        }));
    }

    [Test]
    public void UnimplementedBlocksAreStillTypeChecked() =>
        Assert.That(ConfigText.ErrorOf("locking {\n  retry-count often;\n}"), Is.EqualTo("test.conf:2: \"often\" is not a number"));

    [Test]
    public void FreeFormModuleBlocksAreAcceptedWithAWarning()
    {
        ConfigText.Bind("sql { interface mysql; getpwnam \"SELECT ...\"; }", out var warnings);
        Assert.That(warnings, Is.EqualTo(new[] { "test.conf:1: warning: statement \"sql\" is not implemented yet; ignored" }));
    }

    [Test]
    public void SpecialUseMapsNamesToAttributes()
    {
        var settings = ConfigText.Bind("""
            special-use "Sent Items" \Sent;
            special-use Junk Junk;
            """, out var warnings);
        Assert.That(warnings, Is.Empty);
        Assert.That(settings.SpecialUse["Sent Items"], Is.EqualTo(@"\Sent"));
        Assert.That(settings.SpecialUse["Junk"], Is.EqualTo(@"\Junk"));
        Assert.Throws<ConfigException>(() => ConfigText.Bind("special-use Sent \"\\Bogus\";", out _));
    }
}
