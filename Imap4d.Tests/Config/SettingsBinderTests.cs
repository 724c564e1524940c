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
                settings with { Namespaces = defaults.Namespaces, Servers = defaults.Servers, IdFields = defaults.IdFields, AuthenticationModules = defaults.AuthenticationModules, Auth = defaults.Auth },
                Is.EqualTo(defaults));
            Assert.That(settings.Servers, Is.Empty);
            Assert.That(settings.IdFields, Is.EqualTo(defaults.IdFields));
            Assert.That(settings.AuthenticationModules, Is.EqualTo(defaults.AuthenticationModules));
            Assert.That(settings.Auth with { AuthorizationModules = defaults.Auth.AuthorizationModules }, Is.EqualTo(defaults.Auth));
            Assert.That(settings.Auth.AuthorizationModules, Is.EqualTo(new[] { "generic", "system" }));
            Assert.That(settings.Auth.FailureDelay, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(settings.Auth.Lockout, Is.EqualTo(new LockoutSettings
            {
                MaxFailures = 10, MaxUsers = 10, Window = TimeSpan.FromMinutes(15), LockTime = TimeSpan.FromMinutes(15),
                MaxDelay = TimeSpan.FromSeconds(15), FailureInterval = TimeSpan.FromSeconds(1), Directory = "/run/imap4d/lockout",
            }));
            Assert.That(settings.Auth.PamService, Is.EqualTo("imap4d"));
            Assert.That(settings.Auth.Privileges.HomeDirMode, Is.EqualTo(0x1c0));
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
            Assert.That(settings.Preauth.Mode, Is.EqualTo(PreauthMode.Stdio));
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

    [TestCase("auth { authorization system; }", new[] { "system" })]
    [TestCase("auth { authorization \"virtual-users:system\"; }", new[] { "virtual-users", "system" })]
    [TestCase("auth { authorization pam; authorization (clear, generic); }", new[] { "generic" })]
    public void AuthorizationList(string text, string[] expected) =>
        Assert.That(ConfigText.Bind(text).Auth.AuthorizationModules, Is.EqualTo(expected));

    [Test]
    public void BindsAuthenticationPolicy()
    {
        var settings = ConfigText.Bind("""
            allow-users (alice, bob);
            allow-users carol;
            deny-users mallory;
            allow-groups staff;
            deny-groups (nomail, banned);
            create-home-dir yes;
            home-dir-mode 0750;
            retain-groups (cdrom, audio);
            login-failure-delay 3;
            lockout { max-failures 3; max-users 4; window "10 minutes"; lock-time "1 hour"; max-delay 20; failure-interval 2; directory /var/lib/imap4d/lockout; }
            login-names { strip-domain (example.com, example.org); lower-case yes; map-file /etc/imap4d/logins; }
            impersonation { administrators (root-admin, helpdesk); separator "*"; }
            pam { service gnu-imap4d; timeout 5; }
            """, out var warnings);
        Assert.That(warnings, Is.Empty);
        var auth = settings.Auth;
        Assert.Multiple(() =>
        {
            Assert.That(auth.AllowUsers, Is.EqualTo(new[] { "alice", "bob", "carol" }));
            Assert.That(auth.DenyUsers, Is.EqualTo(new[] { "mallory" }));
            Assert.That(auth.AllowGroups, Is.EqualTo(new[] { "staff" }));
            Assert.That(auth.DenyGroups, Is.EqualTo(new[] { "nomail", "banned" }));
            Assert.That(auth.Privileges.CreateHomeDir, Is.True);
            Assert.That(auth.Privileges.HomeDirMode, Is.EqualTo(0x1e8));
            Assert.That(auth.Privileges.RetainGroups, Is.EqualTo(new[] { "cdrom", "audio" }));
            Assert.That(auth.FailureDelay, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(auth.Lockout.MaxFailures, Is.EqualTo(3));
            Assert.That(auth.Lockout.Window, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(auth.Lockout.LockTime, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(auth.Lockout.Directory, Is.EqualTo("/var/lib/imap4d/lockout"));
            Assert.That(auth.Lockout.MaxUsers, Is.EqualTo(4));
            Assert.That(auth.Lockout.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(auth.Lockout.FailureInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(auth.LoginNames.StripDomains, Is.EqualTo(new[] { "example.com", "example.org" }));
            Assert.That(auth.LoginNames.LowerCase, Is.True);
            Assert.That(auth.LoginNames.MapFile, Is.EqualTo("/etc/imap4d/logins"));
            Assert.That(auth.Impersonation.Administrators, Is.EqualTo(new[] { "root-admin", "helpdesk" }));
            Assert.That(auth.Impersonation.Separator, Is.EqualTo('*'));
            Assert.That(auth.PamService, Is.EqualTo("gnu-imap4d"));
            Assert.That(auth.PamTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        });
    }

    [TestCase("lockout { directory relative/dir; }", "needs an absolute path")]
    [TestCase("lockout { max-failures 5000; }", "at most 1000")]
    [TestCase("lockout { window 0; }", "longer than zero")]
    [TestCase("lockout { max-users 2000; }", "at most 1000")]
    [TestCase("lockout { failure-interval 120; }", "at most 60 seconds")]
    [TestCase("login-failure-delay 120;", "at most 60 seconds")]
    [TestCase("home-dir-mode 4755;", "not an octal file mode")]
    [TestCase("impersonation { separator ab; }", "one character")]
    [TestCase("impersonation { separator a; }", "one character")]
    [TestCase("pam { service \"\"; }", "cannot be empty")]
    public void BadAuthenticationPolicyIsAConfigurationError(string text, string expected) =>
        Assert.That(ConfigText.ErrorOf(text), Does.Contain(expected));

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
    public void BindsPreauthModes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ConfigText.Bind("preauth ident;").Preauth, Is.EqualTo(new PreauthSettings { Mode = PreauthMode.Ident, IdentPort = 113 }));
            Assert.That(ConfigText.Bind("preauth ident://:1113;").Preauth.IdentPort, Is.EqualTo(1113));
            Assert.That(ConfigText.Bind("preauth \"ident://:auth\";").Preauth.IdentPort, Is.EqualTo(113));
            var program = ConfigText.Bind("preauth \"prog:///usr/sbin/who-is ${client_address} ${client_port}\";").Preauth;
            Assert.That(program.Mode, Is.EqualTo(PreauthMode.Program));
            Assert.That(program.Program, Is.EqualTo("/usr/sbin/who-is ${client_address} ${client_port}"));
            Assert.That(ConfigText.Bind("preauth /bin/true;").Preauth.Program, Is.EqualTo("/bin/true"));
            var ident = ConfigText.Bind("preauth ident; preauth-only yes; ident-keyfile /etc/identd.key; ident-encrypt-only yes;").Preauth;
            Assert.That(ident, Is.EqualTo(new PreauthSettings
            {
                Mode = PreauthMode.Ident, Only = true, IdentKeyFile = "/etc/identd.key", IdentEncryptOnly = true,
            }));
        });
    }

    [Test]
    public void BindsAclBlocksInOrder()
    {
        var settings = ConfigText.Bind("""
            acl {
              deny from 10.10.10.1;
              log from any "Connect from ${address}";
              allow 10.0.0.0/255.0.0.0;
              ifexec from 192.168.0.0/16 "/usr/bin/check ${address}";
              exec all /usr/bin/notify;
              deny all;
            }
            server 127.0.0.1:143 {
              acl { allow from ::1; deny any; }
            }
            """, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Gate.Acl.Entries, Is.EqualTo(new[]
            {
                new AclEntry(AclAction.Deny, IpNetwork.Parse("10.10.10.1")),
                new AclEntry(AclAction.Log, IpNetwork.Any, "Connect from ${address}"),
                new AclEntry(AclAction.Allow, IpNetwork.Parse("10.0.0.0/8")),
                new AclEntry(AclAction.IfExec, IpNetwork.Parse("192.168.0.0/16"), "/usr/bin/check ${address}"),
                new AclEntry(AclAction.Exec, IpNetwork.Any, "/usr/bin/notify"),
                new AclEntry(AclAction.Deny, IpNetwork.Any),
            }));
            Assert.That(settings.Gate.ServerAcl.IsEmpty, Is.True, "the global settings carry no server list");
            var server = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 143));
            Assert.That(server.Gate.ServerAcl.Entries, Is.EqualTo(new[]
            {
                new AclEntry(AclAction.Allow, IpNetwork.Parse("::1")),
                new AclEntry(AclAction.Deny, IpNetwork.Any),
            }));
            Assert.That(server.Gate.Acl, Is.SameAs(settings.Gate.Acl));
        });
    }

    [Test]
    public void BindsProxyProtocolAndLoginTimeoutGloballyAndPerServer()
    {
        var settings = ConfigText.Bind("""
            login-timeout 30;
            proxy-trusted 127.0.0.1;
            server 127.0.0.1:143 { proxy-protocol yes; proxy-trusted (10.0.0.0/8, "::1"); login-timeout 5; }
            server 127.0.0.1:993 { }
            """);
        var proxied = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 143));
        var direct = settings.ForLocalEndPoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 993));
        Assert.Multiple(() =>
        {
            Assert.That(new ServerSettings().LoginTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(settings.LoginTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(settings.Gate.ProxyProtocol, Is.False);
            Assert.That(proxied.Gate.ProxyProtocol, Is.True);
            Assert.That(proxied.Gate.ProxyTrusted, Is.EqualTo(new[] { IpNetwork.Parse("10.0.0.0/8"), IpNetwork.Parse("::1") }));
            Assert.That(proxied.LoginTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(direct.Gate.ProxyProtocol, Is.False);
            Assert.That(direct.Gate.ProxyTrusted, Is.EqualTo(new[] { IpNetwork.Parse("127.0.0.1") }));
            Assert.That(direct.LoginTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
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
            debug {
              level "x";
            }
            tcp-wrappers yes;
            logging { syslog no; }
            server 0.0.0.0:143 {
              single-process yes;
              acl { allow from 127.0.0.1; }
            }
            locking { type kernel; }
            mandatory-locking { enable yes; }
            """, out var warnings);
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "test.conf:1: warning: statement \"debug\" is not implemented yet; ignored",
            "test.conf:4: warning: statement \"tcp-wrappers\" is not implemented yet; ignored",
            "test.conf:10: warning: statement \"locking\" is not implemented yet; ignored",
            "test.conf:11: warning: statement \"mandatory-locking\" is not implemented yet; ignored",
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
