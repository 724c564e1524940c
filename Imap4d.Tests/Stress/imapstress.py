#!/usr/bin/env python3
"""imapstress - N concurrent IMAP clients on one mailbox, every response checked against a model.

Each client logs in, selects the mailbox and runs random SELECT / FETCH / STORE / APPEND /
EXPUNGE / COPY / IDLE / NOOP / LOGOUT commands until the time is up. A model of the mailbox
per client (sequence numbers, UIDs, flags, announced FLAGS) checks every response:

  * every line ends in CRLF and parses (a cut FETCH line is a syntax error);
  * EXISTS never shrinks, EXPUNGE numbers are in range and never arrive during FETCH, STORE
    or SEARCH by sequence number (RFC 3501 7.4.1), and after LOGOUT nothing but the tagged OK
    follows "* BYE";
  * UIDs are strictly ascending in sequence order and never reused: every message carries an
    X-Stress-Id header, and a UID must always show the message it first showed (APPENDUID and
    COPYUID included);
  * every keyword in a FETCH FLAGS was announced in an earlier "* FLAGS", and a later
    "* FLAGS" never drops a keyword still on a message the client knows;
  * RFC822.SIZE equals the length of BODY[];
  * no NO or BAD, except NO [EXPUNGEISSUED] (counted apart) and NO [INUSE] (an error here,
    but counted apart too, since it is the lock problem of issue 9).

Standard library only. Exit status 0 when no error was found. Usable against any server:

  imapstress.py --port 1143 --user demo --password demo --clients 50 --seconds 600 \\
      --server-pid PID --json out.json

--server-pid samples RSS and PSS of that process and all its descendants every few seconds.
Against Dovecot or GNU imap4d, start the peer with /work/shared/bench/peers.py (e.g.
`peers.py serve dovecot-mbox --user U --password P --port 14600 --workdir run/dv`) on an empty
~/mail/INBOX and pass the peer's master pid. Dovecot answers some FETCH/STORE/COPY of messages
expunged meanwhile with NO [EXPUNGEISSUED]: counted as no-expungeissued, not as errors.
IMAP4D_STRESS_SECONDS and IMAP4D_STRESS_CLIENTS set the defaults of --seconds and --clients.
"""

import argparse
import json
import os
import random
import re
import socket
import sys
import threading
import time

SYSTEM_FLAGS = ["\\Seen", "\\Flagged", "\\Answered", "\\Draft"]
KEYWORDS = ["$Stress1", "$Stress2", "$Stress3", "$Work", "Junk7"]


class ProtocolError(Exception):
    pass


class Shared:
    """What all clients of one mailbox know together: UID identities and error bookkeeping."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.identity = {}      # (mailbox key, uid) -> X-Stress-Id
        self.uidvalidity = {}   # mailbox key -> first UIDVALIDITY seen
        self.errors = []
        self.error_count = 0
        self.counts = {}
        self.select_times = []
        self.args = args
        self.next_id = 0

    def new_id(self, client):
        with self.lock:
            self.next_id += 1
            return "s%d-%d-%d" % (os.getpid(), client, self.next_id)

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def error(self, client, text, context=None):
        with self.lock:
            self.error_count += 1
            kind = text.split(":")[0]
            self.counts["error:" + kind] = self.counts.get("error:" + kind, 0) + 1
            if len(self.errors) < 200:
                self.errors.append({"client": client, "error": text, "context": context})
        if self.args.verbose:
            sys.stderr.write("client %d: %s\n" % (client, text))
            if context:
                sys.stderr.write("    %s\n" % context[-3:])

    def remember_uid(self, box, uid, ident):
        """Records that UID shows message IDENT; returns the identity it had before, if different."""
        with self.lock:
            old = self.identity.setdefault((box, uid), ident)
            return None if old == ident else old


class Reader:
    """Reads responses from a socket: lines must end in CRLF; {n} literals are read whole.
    A timeout leaves the buffer as it was, so a response is never half consumed."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.buf = b""
        self.sock.settimeout(timeout)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed by server")
        self.buf += data

    def response(self):
        """One response: (text with literals replaced by \\x00<index>\\x00, [literal bytes])."""
        parts = []
        literals = []
        pos = 0
        while True:
            i = self.buf.find(b"\n", pos)
            while i < 0:
                self._fill()
                i = self.buf.find(b"\n", pos)
            line = self.buf[pos:i + 1]
            if not line.endswith(b"\r\n"):
                raise ProtocolError("bare-LF: line without CR: %r" % line[-80:])
            line = line[:-2]
            pos = i + 1
            m = re.search(rb"\{(\d+)\}$", line)
            if m is None:
                parts.append(line)
                break
            n = int(m.group(1))
            while len(self.buf) < pos + n:
                self._fill()
            parts.append(line[:m.start()] + b"\x00%d\x00" % len(literals))
            literals.append(self.buf[pos:pos + n])
            pos += n
        self.buf = self.buf[pos:]
        return b"".join(parts).decode("latin-1"), literals


class Parser:
    """Parses the data of a response (after "* n FETCH ") into nested Python lists."""

    def __init__(self, text, literals):
        self.s = text
        self.i = 0
        self.literals = literals

    def fail(self, what):
        raise ProtocolError("syntax: %s at %d in %r" % (what, self.i, self.s[:200]))

    def value(self):
        s = self.s
        if self.i >= len(s):
            self.fail("value expected, line ended")
        c = s[self.i]
        if c == "(":
            self.i += 1
            items = []
            while True:
                if self.i >= len(s):
                    self.fail("unterminated list")
                if s[self.i] == ")":
                    self.i += 1
                    return items
                if items:
                    if s[self.i] != " ":
                        self.fail("space expected")
                    self.i += 1
                items.append(self.value())
        if c == '"':
            self.i += 1
            out = []
            while True:
                if self.i >= len(s):
                    self.fail("unterminated quoted string")
                ch = s[self.i]
                if ch == "\\":
                    out.append(s[self.i + 1])
                    self.i += 2
                    continue
                if ch == '"':
                    self.i += 1
                    return "".join(out)
                out.append(ch)
                self.i += 1
        if c == "\x00":
            j = s.index("\x00", self.i + 1)
            n = int(s[self.i + 1:j])
            self.i = j + 1
            return self.literals[n]
        # atom, possibly BODY[...]<n>: the brackets may hold spaces and parentheses
        start = self.i
        while self.i < len(s) and s[self.i] not in " ()\"\x00":
            if s[self.i] == "[":
                j = s.find("]", self.i)
                if j < 0:
                    self.fail("unterminated [")
                self.i = j
            self.i += 1
        if self.i == start:
            self.fail("atom expected")
        atom = s[start:self.i]
        if atom == "NIL":
            return None
        return atom


def fetch_items(text, literals):
    """The item dict of "(NAME value NAME value ...)"."""
    p = Parser(text, literals)
    items = p.value()
    if p.i != len(text):
        p.fail("junk after FETCH list")
    if not isinstance(items, list) or len(items) % 2:
        raise ProtocolError("syntax: odd FETCH item list %r" % text[:200])
    out = {}
    for k in range(0, len(items), 2):
        if not isinstance(items[k], str):
            raise ProtocolError("syntax: FETCH item name %r" % (items[k],))
        out[items[k].upper()] = items[k + 1]
    return out


def flag_list(text):
    m = re.match(r"\(([^()]*)\)", text)
    if not m:
        raise ProtocolError("syntax: flag list %r" % text)
    return [f for f in m.group(1).split(" ") if f]


def is_keyword(flag):
    return not flag.startswith("\\")


class Client(threading.Thread):
    def __init__(self, number, shared, args, user, password, deadline, rng):
        super().__init__(daemon=True)
        self.number = number
        self.shared = shared
        self.args = args
        self.user = user
        self.password = password
        self.deadline = deadline
        self.rng = rng
        self.box = user + "/" + args.mailbox
        self.tagn = 0
        self.sock = None
        self.reader = None
        self.context = []

    # ---- the model -------------------------------------------------------------------------

    def reset_model(self):
        self.uids = []          # sequence order; None = not learned yet
        self.flags = {}         # uid -> set of flags
        self.known = set()      # announced FLAGS
        self.uidnext = 0
        self.selected = False

    def error(self, text):
        self.shared.error(self.number, text, list(self.context))

    def check_flags(self, seq, flags):
        for f in flags:
            if is_keyword(f) and f not in self.known and f.lower() not in {k.lower() for k in self.known}:
                self.error("keyword-unannounced: %s in FETCH of %d, FLAGS were %s" % (f, seq, sorted(self.known)))

    def on_untagged(self, text, literals, command):
        """Applies one untagged response to the model. COMMAND is the verb running (None in IDLE)."""
        m = re.match(r"\* (\d+) (EXISTS|RECENT|EXPUNGE|FETCH)(?: (.*))?$", text, re.S)
        if m:
            n = int(m.group(1))
            kind = m.group(2)
            if kind == "EXISTS":
                if n < len(self.uids):
                    self.error("exists-shrank: EXISTS %d after %d messages" % (n, len(self.uids)))
                    self.uids = self.uids[:n]
                self.uids.extend([None] * (n - len(self.uids)))
            elif kind == "RECENT":
                if n > len(self.uids):
                    self.error("recent-range: RECENT %d > EXISTS %d" % (n, len(self.uids)))
            elif kind == "EXPUNGE":
                if command in ("FETCH", "STORE", "SEARCH"):
                    self.error("expunge-during-%s: EXPUNGE %d sent during %s" % (command, n, command))
                if n < 1 or n > len(self.uids):
                    self.error("expunge-range: EXPUNGE %d of %d" % (n, len(self.uids)))
                    return
                uid = self.uids.pop(n - 1)
                self.flags.pop(uid, None)
                self.shared.count("expunge-seen")
            else:
                self.on_fetch(n, m.group(3) or "", literals)
            return
        if text.startswith("* FLAGS "):
            announced = set(flag_list(text[8:]))
            lower = {f.lower() for f in announced}
            for uid, fl in self.flags.items():
                for f in fl:
                    if is_keyword(f) and f.lower() not in lower:
                        self.error("keyword-dropped: FLAGS %s dropped %s still on UID %s" % (sorted(announced), f, uid))
            self.known = announced
            return
        if text.startswith("* OK") or text.startswith("* SEARCH") or text.startswith("* CAPABILITY"):
            m = re.search(r"\[UIDNEXT (\d+)\]", text)
            if m:
                self.uidnext = int(m.group(1))
            m = re.search(r"\[UIDVALIDITY (\d+)\]", text)
            if m:
                self.check_validity(int(m.group(1)))
            return
        if text.startswith("* BYE"):
            if command != "LOGOUT":
                self.error("unexpected-bye: %s" % text)
            return
        if text.startswith("* NO") or text.startswith("* BAD"):
            self.error("untagged-no: %s" % text)
            return
        if re.match(r"\* (LIST|LSUB|STATUS|ENABLED|ID|NAMESPACE) ", text):
            return
        self.error("unknown-untagged: %r" % text[:200])

    def on_fetch(self, seq, data, literals):
        items = fetch_items(data, literals)
        if seq < 1 or seq > len(self.uids):
            self.error("fetch-range: FETCH %d of %d" % (seq, len(self.uids)))
            return
        uid = items.get("UID")
        if uid is not None:
            uid = int(uid)
            known = self.uids[seq - 1]
            if known is not None and known != uid:
                self.error("uid-changed: seq %d was UID %d, now %d" % (seq, known, uid))
            self.uids[seq - 1] = uid
            # strictly ascending against every known neighbour
            for k in range(seq - 2, -1, -1):
                if self.uids[k] is not None:
                    if self.uids[k] >= uid:
                        self.error("uid-order: UID %d at %d after UID %d at %d" % (uid, seq, self.uids[k], k + 1))
                    break
            for k in range(seq, len(self.uids)):
                if self.uids[k] is not None:
                    if self.uids[k] <= uid:
                        self.error("uid-order: UID %d at %d before UID %d at %d" % (uid, seq, self.uids[k], k + 1))
                    break
        else:
            uid = self.uids[seq - 1]
        if "FLAGS" in items:
            flags = items["FLAGS"]
            if not isinstance(flags, list):
                raise ProtocolError("syntax: FLAGS not a list: %r" % data[:200])
            self.check_flags(seq, flags)
            if uid is not None:
                self.flags[uid] = set(f for f in flags if f != "\\Recent")
        header = None
        body = None
        for name, value in items.items():
            if name.startswith("BODY[HEADER.FIELDS"):
                header = value
            elif name == "BODY[]":
                body = value
        if body is not None and "RFC822.SIZE" in items:
            if len(body) != int(items["RFC822.SIZE"]):
                self.error("size-mismatch: UID %s RFC822.SIZE %s, BODY[] %d bytes" % (uid, items["RFC822.SIZE"], len(body)))
        source = header if header is not None else body
        if source is not None and uid is not None:
            if isinstance(source, str):
                source = source.encode("latin-1")
            m = re.search(rb"X-Stress-Id: (\S+)", source or b"")
            if m:
                old = self.shared.remember_uid(self.box, uid, m.group(1).decode())
                if old is not None:
                    self.error("uid-reused: UID %d showed %s, now %s" % (uid, old, m.group(1).decode()))

    # ---- the wire --------------------------------------------------------------------------

    def send(self, data):
        self.sock.sendall(data)

    def command(self, line, verb, literal=None, expect_no=()):
        """Sends a command and reads up to its tagged response; returns (status, text)."""
        self.tagn += 1
        tag = "c%d" % self.tagn
        self.context = [tag + " " + line[:120]]
        if literal is not None:
            self.send(("%s %s {%d}\r\n" % (tag, line, len(literal))).encode())
            while True:
                text, literals = self.reader.response()
                self.context.append(text[:200])
                if text.startswith("+"):
                    break
                if text.startswith(tag + " "):
                    return self.finish(tag, text, verb, expect_no)
                self.on_untagged(text, literals, verb)
            self.send(literal + b"\r\n")
        else:
            self.send(("%s %s\r\n" % (tag, line)).encode())
        bye = False
        while True:
            text, literals = self.reader.response()
            self.context.append(text[:300])
            if text.startswith(tag + " "):
                return self.finish(tag, text, verb, expect_no)
            if text.startswith("+"):
                self.error("unexpected-continuation: %r" % text)
                continue
            if not text.startswith("* "):
                raise ProtocolError("syntax: not a response: %r" % text[:200])
            if bye:
                self.error("after-bye: %r" % text[:200])
            if text.startswith("* BYE") and verb == "LOGOUT":
                bye = True
            self.on_untagged(text, literals, verb)

    def finish(self, tag, text, verb, expect_no):
        rest = text[len(tag) + 1:]
        status = rest.split(" ", 1)[0]
        self.shared.count("cmd:" + verb)
        self.shared.count("cmds")
        if status == "OK":
            if "[EXPUNGEISSUED]" in rest:
                self.shared.count("ok-expungeissued")
            return status, rest
        if status == "NO" and "[EXPUNGEISSUED]" in rest and verb in ("FETCH", "STORE", "COPY", "SEARCH"):
            self.shared.count("no-expungeissued")
            return status, rest
        if status == "NO" and "[INUSE]" in rest:
            self.shared.count("no-inuse")
            self.error("no-inuse: %s %s" % (verb, rest))
            return status, rest
        if status == "NO" and any(code in rest for code in expect_no):
            self.shared.count("no-expected")
            return status, rest
        self.error("unexpected-%s: %s -> %s" % (status.lower(), verb, rest[:200]))
        return status, rest

    def connect(self):
        self.sock = socket.create_connection((self.args.host, self.args.port), timeout=self.args.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = Reader(self.sock, self.args.timeout)
        greeting, _ = self.reader.response()
        if not greeting.startswith("* OK"):
            raise ProtocolError("greeting: %r" % greeting)
        self.reset_model()
        status, _ = self.command("LOGIN %s %s" % (quote(self.user), quote(self.password)), "LOGIN")
        if status != "OK":
            raise ProtocolError("login failed")

    def select(self):
        self.reset_model()
        start = time.monotonic()
        status, text = self.command("SELECT %s" % quote(self.args.mailbox), "SELECT")
        elapsed = time.monotonic() - start
        with self.shared.lock:
            self.shared.select_times.append(elapsed)
        if status != "OK":
            return False
        self.selected = True
        if self.uids:
            self.command("FETCH 1:* (UID FLAGS)", "FETCH")
        return True

    def logout(self):
        self.command("LOGOUT", "LOGOUT")
        try:
            self.sock.settimeout(5)
            rest = self.reader.buf + self.sock.recv(4096)
            if rest:
                self.error("after-logout: %r" % rest[:200])
        except (OSError, EOFError):
            pass
        self.sock.close()
        self.sock = None

    # ---- the operations --------------------------------------------------------------------

    def random_set(self):
        n = len(self.uids)
        if n == 0:
            return None
        a = self.rng.randint(1, n)
        r = self.rng.random()
        if r < 0.4:
            return str(a)
        if r < 0.8:
            b = min(n, a + self.rng.randint(0, 10))
            return "%d:%d" % (a, b)
        return "%d:*" % a

    def random_flags(self):
        pool = SYSTEM_FLAGS + KEYWORDS
        return self.rng.sample(pool, self.rng.randint(1, 3))

    def op_fetch(self):
        s = self.random_set()
        if s is None:
            return self.op_append()
        what = self.rng.choice([
            "(UID FLAGS)",
            "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (X-Stress-Id Subject)])",
            "(UID RFC822.SIZE BODY.PEEK[])",
            "(UID ENVELOPE BODYSTRUCTURE)",
            "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Subject From)])",
            "(UID BODY[TEXT])",
        ])
        if self.rng.random() < 0.3:
            uids = [u for u in self.uids if u is not None]
            if uids:
                self.command("UID FETCH %d:* %s" % (self.rng.choice(uids), what), "UID FETCH")
                return
        self.command("FETCH %s %s" % (s, what), "FETCH")

    def op_learn(self):
        """Learns the UIDs of messages announced by EXISTS only."""
        for i, u in enumerate(self.uids):
            if u is None:
                self.command("FETCH %d:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (X-Stress-Id)])" % (i + 1), "FETCH")
                return True
        return False

    def op_store(self):
        s = self.random_set()
        if s is None:
            return self.op_append()
        sign = self.rng.choice(["+", "-", "+"])
        silent = ".SILENT" if self.rng.random() < 0.2 else ""
        flags = self.random_flags()
        if self.rng.random() < 0.3:
            uids = [u for u in self.uids if u is not None]
            if uids:
                u = self.rng.choice(uids)
                self.command("UID STORE %d %sFLAGS%s (%s)" % (u, sign, silent, " ".join(flags)), "UID STORE")
                return
        self.command("STORE %s %sFLAGS%s (%s)" % (s, sign, silent, " ".join(flags)), "STORE")

    def op_append(self):
        ident = self.shared.new_id(self.number)
        size = self.rng.choice([1, 1, 2, 10, 60])
        body = "".join("line %d of %s, some text to make the message longer\r\n" % (k, ident) for k in range(size * 5))
        message = ("From: client%d <c%d@stress.example>\r\nTo: box@stress.example\r\nSubject: stress %s\r\n"
                   "X-Stress-Id: %s\r\nMessage-ID: <%s@stress.example>\r\n\r\n%s" % (
                       self.number, self.number, ident, ident, ident, body)).encode()
        flags = [f for f in self.random_flags() if f != "\\Deleted"] if self.rng.random() < 0.5 else []
        status, text = self.command("APPEND %s (%s)" % (quote(self.args.mailbox), " ".join(flags)), "APPEND", literal=message)
        m = re.search(r"\[APPENDUID (\d+) (\d+)\]", text)
        if status == "OK" and m:
            uid = int(m.group(2))
            self.check_validity(int(m.group(1)))
            old = self.shared.remember_uid(self.box, uid, ident)
            if old is not None:
                self.error("uid-reused: APPENDUID %d was %s" % (uid, old))

    def check_validity(self, validity):
        with self.shared.lock:
            first = self.shared.uidvalidity.setdefault(self.box, validity)
        if first != validity:
            self.error("uidvalidity-changed: %d then %d" % (first, validity))

    def op_expunge(self):
        n = len(self.uids)
        if n > self.args.max_messages:
            # keep the mailbox small: drop a random stretch of the surplus
            a = self.rng.randint(1, n // 2)
            b = min(n, a + n - self.args.max_messages // 2)
            self.command("STORE %d:%d +FLAGS.SILENT (\\Deleted)" % (a, b), "STORE")
        elif self.rng.random() < 0.5:
            s = self.random_set()
            if s is not None:
                self.command("STORE %s +FLAGS.SILENT (\\Deleted)" % s, "STORE")
        self.command("EXPUNGE", "EXPUNGE")

    def op_copy(self):
        n = len(self.uids)
        if n == 0 or n > self.args.max_messages:
            return self.op_expunge()
        a = self.rng.randint(1, n)
        s = "%d:%d" % (a, min(n, a + self.rng.randint(0, 2)))
        status, text = self.command("COPY %s %s" % (s, quote(self.args.mailbox)), "COPY")
        m = re.search(r"\[COPYUID (\d+) (\S+) (\S+)\]", text)
        if status == "OK" and m:
            self.check_validity(int(m.group(1)))
            src, dst = expand(m.group(2)), expand(m.group(3))
            if len(src) != len(dst):
                self.error("copyuid: %s" % text)
            for a, d in zip(src, dst):
                with self.shared.lock:
                    ident = self.shared.identity.get((self.box, a))
                if ident is not None:
                    old = self.shared.remember_uid(self.box, d, ident)
                    if old is not None:
                        self.error("uid-reused: COPYUID gave UID %d, which showed %s, for a copy of %s" % (d, old, ident))

    def op_idle(self):
        self.tagn += 1
        tag = "c%d" % self.tagn
        self.context = [tag + " IDLE"]
        self.send(("%s IDLE\r\n" % tag).encode())
        text, _ = self.reader.response()
        if not text.startswith("+"):
            self.context.append(text)
            self.error("idle-refused: %r" % text[:200])
            return
        end = time.monotonic() + self.rng.uniform(0.05, self.args.idle_max)
        self.sock.settimeout(0.05)
        try:
            while time.monotonic() < end:
                try:
                    text, literals = self.reader.response()
                except socket.timeout:
                    continue
                self.context.append(text[:300])
                self.on_untagged(text, literals, None)
        finally:
            self.sock.settimeout(self.args.timeout)
        self.send(b"DONE\r\n")
        while True:
            text, literals = self.reader.response()
            self.context.append(text[:300])
            if text.startswith(tag + " "):
                self.finish(tag, text, "IDLE", ())
                return
            self.on_untagged(text, literals, None)

    def run_ops(self):
        ops = [
            (self.op_fetch, 30), (self.op_store, 20), (self.op_append, 12), (self.op_expunge, 6),
            (self.op_copy, 5), (self.op_idle, 4), (lambda: self.command("NOOP", "NOOP"), 6),
            (lambda: self.command("CHECK", "CHECK"), 1), (self.op_reselect, 3), (self.op_relogin, 2),
        ]
        total = sum(w for _, w in ops)
        while time.monotonic() < self.deadline:
            if self.rng.random() < 0.5 and self.op_learn():
                continue
            r = self.rng.uniform(0, total)
            for op, w in ops:
                r -= w
                if r <= 0:
                    op()
                    break
            if self.args.think > 0:
                time.sleep(self.rng.uniform(0, self.args.think))

    def op_reselect(self):
        for _ in range(5):
            if self.select():
                return
        raise ProtocolError("select-failed: five times in a row")

    def op_relogin(self):
        self.logout()
        self.connect()
        self.op_reselect()

    def run(self):
        try:
            self.connect()
            self.op_reselect()
            self.run_ops()
            self.logout()
        except ProtocolError as e:
            self.error(str(e))
        except (EOFError, OSError) as e:
            self.error("connection: %s" % e)
        except Exception as e:  # a bug in the model must show, not hide as a pass
            self.error("driver: %r" % e)


def expand(uidset):
    out = []
    for part in uidset.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out.extend(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(part))
    return out


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- memory of the server's process tree -------------------------------------------------

def descendants(root):
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def memory_of(root):
    rss = pss = 0
    procs = 0
    for pid in descendants(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            procs += 1
        except OSError:
            continue
    return {"rss_kb": rss, "pss_kb": pss, "procs": procs}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", action="append", help="USER or USER:PASSWORD; repeat for several users (clients are spread over them)")
    ap.add_argument("--password", default="")
    ap.add_argument("--mailbox", default="INBOX")
    ap.add_argument("--clients", type=int, default=int(os.environ.get("IMAP4D_STRESS_CLIENTS", "8")))
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("IMAP4D_STRESS_SECONDS", "5")))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=60.0, help="longest wait for one response")
    ap.add_argument("--max-messages", type=int, default=60, help="above this many, EXPUNGE first marks messages")
    ap.add_argument("--idle-max", type=float, default=0.5)
    ap.add_argument("--think", type=float, default=0.0, help="random pause of up to this many seconds between commands")
    ap.add_argument("--server-pid", type=int, default=None)
    ap.add_argument("--sample", type=float, default=5.0, help="memory sampling interval")
    ap.add_argument("--json", default=None)
    ap.add_argument("--label", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    users = []
    for u in args.user or ["demo"]:
        name, _, pw = u.partition(":")
        users.append((name, pw or args.password))

    shared = Shared(args)
    start = time.monotonic()
    deadline = start + args.seconds
    clients = []
    for k in range(args.clients):
        user, pw = users[k % len(users)]
        clients.append(Client(k, shared, args, user, pw, deadline, random.Random(seed * 1000 + k)))
    memory = []
    for c in clients:
        c.start()
    while any(c.is_alive() for c in clients):
        if args.server_pid:
            sample = memory_of(args.server_pid)
            sample["t"] = round(time.monotonic() - start, 1)
            memory.append(sample)
        time.sleep(min(args.sample, 0.5) if time.monotonic() > deadline else args.sample if args.server_pid else 0.5)
        if time.monotonic() > deadline + args.timeout * 3:
            shared.error(-1, "hang: clients still running %.0f s after the deadline" % (time.monotonic() - deadline))
            break
    elapsed = time.monotonic() - start
    times = sorted(shared.select_times)
    result = {
        "label": args.label,
        "seed": seed,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "commands": shared.counts.get("cmds", 0),
        "commands_per_s": round(shared.counts.get("cmds", 0) / elapsed, 1),
        "errors": shared.error_count,
        "counts": dict(sorted(shared.counts.items())),
        "select_s": {
            "n": len(times),
            "mean": round(sum(times) / len(times), 4) if times else None,
            "p50": round(times[len(times) // 2], 4) if times else None,
            "p95": round(times[int(len(times) * 0.95)], 4) if times else None,
            "max": round(times[-1], 4) if times else None,
        },
        "memory": memory,
        "first_errors": shared.errors[:20],
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    summary = dict(result)
    summary.pop("memory")
    summary.pop("first_errors")
    if memory:
        summary["memory_kb"] = {"first": memory[0], "max_pss": max(m["pss_kb"] for m in memory), "last": memory[-1]}
    print(json.dumps(summary, indent=1))
    for e in shared.errors[:10]:
        print("ERROR client %s: %s" % (e["client"], e["error"]))
        for line in (e["context"] or [])[-6:]:
            print("      | %s" % line)
    return 1 if shared.error_count else 0


if __name__ == "__main__":
    sys.exit(main())
