# imap4d for .NET — build, test, run and install.
#
#   make          Release build into build/bin: NativeAOT, or ReadyToRun without a C toolchain
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

# NativeAOT compiles the daemon to one native executable (start-up in milliseconds, a fraction
# of the memory); it links with the platform C toolchain: clang or gcc, objcopy, zlib's headers
# and library. AOT=auto builds it when that toolchain works and otherwise says so and builds
# the ReadyToRun binary (which needs only the .NET runtime); AOT=yes or AOT=no forces a choice.
AOT ?= auto
AOT_PROBE = cc=$$(command -v clang || command -v gcc) && { command -v objcopy || command -v llvm-objcopy; } >/dev/null \
    && printf '\043include <zlib.h>\nint main(void) { return zlibVersion() == 0; }\n' | "$$cc" -x c - -lz -o /dev/null 2>/dev/null
ifeq ($(AOT),auto)
AOT := $(shell $(AOT_PROBE) && echo yes || echo fallback)
endif
# PIE=no links the AOT binary at a fixed address and without "dehydrated" type data: each
# session process then shares its type tables with the others instead of writing a private
# 2.5 MB copy at start-up (PSS per idle session 1.5 MB instead of 3.9 MB), at the price of
# address-space randomisation for the program's own code. Default: PIE=yes.
PIE ?= yes
FIXED_ADDRESS_FLAGS = -p:PositionIndependentExecutable=false -p:IlcDehydrate=false
# SESSION_BIN=yes (the default with PIE=yes) builds the same program a second time at a fixed
# address as build/bin/imap4d-session, which the daemon runs for logged-in users only: the
# daemon and the login process, which read strangers' bytes, keep address-space randomisation,
# and every session shares its type tables from the file (about 2.5 MB less per user process).
SESSION_BIN ?= yes
ifeq ($(AOT),yes)
PUBLISH_FLAGS = -p:PublishAot=true
ifeq ($(PIE),no)
PUBLISH_FLAGS += $(FIXED_ADDRESS_FLAGS)
SESSION_BIN := no
endif
else
SESSION_BIN := no
PUBLISH_FLAGS = --self-contained false -p:PublishReadyToRun=true
endif

export DOTNET_CLI_TELEMETRY_OPTOUT = 1
export DOTNET_NOLOGO = 1

.PHONY: all check run demo install uninstall dist clean FORCE

all: $(BIN)/imap4d

# Which kind of binary build/bin holds: a change of kind rebuilds it from scratch.
$(BUILD)/kind: FORCE
	@mkdir -p $(BUILD)
	@echo "aot=$(AOT) pie=$(PIE) session=$(SESSION_BIN)" | cmp -s - $@ || echo "aot=$(AOT) pie=$(PIE) session=$(SESSION_BIN)" > $@

$(BIN)/imap4d: $(shell find Imap4d -name '*.cs' -o -name '*.csproj') Directory.Build.props $(BUILD)/kind
	@if [ "$(AOT)" = fallback ]; then echo "make: no C toolchain for NativeAOT (clang or gcc, objcopy," \
	    "zlib headers: apt-get install clang zlib1g-dev); building the ReadyToRun binary instead" >&2; fi
	rm -rf $(BIN)
	$(DOTNET) publish Imap4d/Imap4d.csproj -c Release -r $(RID) $(PUBLISH_FLAGS) -o $(BIN) -nologo -v quiet
	@if [ "$(SESSION_BIN)" = yes ]; then \
	    rm -rf $(BUILD)/session && \
	    $(DOTNET) publish Imap4d/Imap4d.csproj -c Release -r $(RID) $(PUBLISH_FLAGS) $(FIXED_ADDRESS_FLAGS) \
	        -o $(BUILD)/session -nologo -v quiet && \
	    cp $(BUILD)/session/imap4d $(BIN)/imap4d-session && cp $(BUILD)/session/imap4d.dbg $(BIN)/imap4d-session.dbg && \
	    rm -rf $(BUILD)/session; fi
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
	rm -f $(DESTDIR)$(LIBDIR)/*.pdb $(DESTDIR)$(LIBDIR)/*.dbg
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
