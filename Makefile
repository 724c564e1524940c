# imap4d for .NET — build, test, run and install.
#
#   make          Release build (ReadyToRun) into build/bin
#   make check    every test (unit, transcript, end-to-end with real clients)
#   make run      build, then serve the demo account demo/demo on 127.0.0.1:1143
#   make install  PREFIX=/usr/local DESTDIR=
#   make dist     source tarball in dist/
#   make clean

PACKAGE = imap4d
VERSION = $(shell sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR = $(PREFIX)/sbin
LIBDIR = $(PREFIX)/lib/$(PACKAGE)
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/$(PACKAGE)
DOTNET ?= dotnet
RID ?= $(shell $(DOTNET) --info 2>/dev/null | sed -n 's/^ *RID: *//p' | head -n 1)
BUILD = build
BIN = $(BUILD)/bin
DEMO = $(abspath $(BUILD)/demo)
PORT ?= 1143
TEST_FILTER ?=

export DOTNET_CLI_TELEMETRY_OPTOUT = 1
export DOTNET_NOLOGO = 1

.PHONY: all check run demo install uninstall dist clean

all: $(BIN)/imap4d

$(BIN)/imap4d: $(shell find Imap4d -name '*.cs' -o -name '*.csproj') Directory.Build.props
	$(DOTNET) publish Imap4d/Imap4d.csproj -c Release -r $(RID) --self-contained false \
	    -p:PublishReadyToRun=true -o $(BIN) -nologo -v quiet
	@touch $@

# The end-to-end tests run the published executable (IMAP4D_BIN).
check: all
	IMAP4D_BIN=$(abspath $(BIN)/imap4d) $(DOTNET) test imap4d.sln -c Release -nologo \
	    --logger "console;verbosity=normal" $(if $(TEST_FILTER),--filter "$(TEST_FILTER)")

demo: all
	@mkdir -p $(DEMO)/home/demo/mail
	@sed 's:@DEMO@:$(DEMO):g' etc/demo/users.in > $(DEMO)/users
	@sed -e 's:@DEMO@:$(DEMO):g' -e 's:@PORT@:$(PORT):g' etc/demo/imap4d.conf.in > $(DEMO)/imap4d.conf
	@test -e $(DEMO)/home/demo/mail/INBOX || cp etc/demo/INBOX $(DEMO)/home/demo/mail/INBOX

run: demo
	@echo "imap4d: serving demo/demo on 127.0.0.1:$(PORT) (Ctrl-C stops)"
	$(BIN)/imap4d --config-file=$(DEMO)/imap4d.conf

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/examples
	cp -R $(BIN)/. $(DESTDIR)$(LIBDIR)/
	rm -f $(DESTDIR)$(LIBDIR)/*.pdb
	ln -sf ../lib/$(PACKAGE)/imap4d $(DESTDIR)$(SBINDIR)/imap4d
	install -m 644 man/imap4d.8 $(DESTDIR)$(MANDIR)/man8/imap4d.8
	install -m 644 etc/imap4d.conf etc/inetd.conf etc/imap4d.socket etc/imap4d@.service etc/imap4d.service \
	    $(DESTDIR)$(DATADIR)/examples/

uninstall:
	rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(SBINDIR)/imap4d $(DESTDIR)$(MANDIR)/man8/imap4d.8

dist:
	@mkdir -p dist
	git archive --format=tar.gz --prefix=$(PACKAGE)-$(VERSION)/ -o dist/$(PACKAGE)-$(VERSION).tar.gz HEAD
	@echo dist/$(PACKAGE)-$(VERSION).tar.gz

clean:
	rm -rf $(BUILD) dist Imap4d/bin Imap4d/obj Imap4d.Tests/bin Imap4d.Tests/obj
