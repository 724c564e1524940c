#!/usr/bin/env python3
"""Local delivery benchmark: N messages by LDA and by LMTP, imap4d against Dovecot, per format.

Run as root (deliveries switch to a throw-away system user), under the bench lock:

    flock /tmp/bench.lock python3 Imap4d.Tests/bench/deliver_bench.py --imap4d build/bin/imap4d \
        --count 10000 --formats maildir,mbox,mh

For each format every server delivers the same N messages (2-6 KB, deterministic) into a fresh
INBOX of the same user: `imap4d --deliver` and `dovecot-lda -d USER` are started once per
message, as an MTA's mailbox_command would (imap4d: the fixed-address imap4d-session beside
--imap4d when there is one, as etc/delivery recommends, else --imap4d itself; --lda chooses);
the LMTP peers (imap4d's daemon on a Unix socket,
Dovecot's lmtp service, both started as root) get one connection with N transactions of one
recipient each, as Postfix's LMTP client sends them over a cached connection. Dovecot has no
MH storage, so MH is measured for imap4d alone. Prints messages per second, checks that every
message arrived, and ends with a table of ratios (imap4d / Dovecot, higher is better).
"""
import argparse, os, pwd, random, shutil, socket, subprocess, sys, tempfile, time

def messages(count, seed=15):
    rng = random.Random(seed)
    words = "delivery mailbox imap index lock uid folder filter message server queue spool".split()
    for i in range(count):
        body = "\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(rng.randint(30, 90)))
        yield (f"From: sender{i % 50}@example.org\nTo: bench@example.org\nSubject: bench {i}\n"
               f"Message-ID: <bench{i}@example.org>\nDate: Mon, 7 Dec 2026 10:00:00 +0000\n\n{body}\n").encode()

def count_messages(home, fmt):
    if fmt == "maildir":
        return sum(len(os.listdir(os.path.join(home, "Maildir", d))) for d in ("new", "cur") if os.path.isdir(os.path.join(home, "Maildir", d)))
    path = os.path.join(home, "mail", "INBOX")
    if fmt == "mh":
        return sum(1 for n in os.listdir(path) if n.isdigit()) if os.path.isdir(path) else 0
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(1 for line in f if line.startswith(b"Message-ID: <bench"))

def reset_home(user):
    home = user.pw_dir
    for name in ("Maildir", "mail", ".imap4d", "mdbox"):
        shutil.rmtree(os.path.join(home, name), ignore_errors=True)
    os.makedirs(os.path.join(home, "mail"), exist_ok=True)
    os.chown(os.path.join(home, "mail"), user.pw_uid, user.pw_gid)

def lmtp_session(path, user, msgs):
    for attempt in range(100):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            break
        except OSError:
            s.close(); time.sleep(0.05)
    f = s.makefile("rb")
    def reply():
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError("LMTP connection closed")
            if line[3:4] != b"-":
                return line
    reply()
    s.sendall(b"LHLO bench\r\n"); reply()
    for m in msgs:
        data = m.replace(b"\n", b"\r\n").replace(b"\r\n.", b"\r\n..")
        s.sendall(b"MAIL FROM:<sender@example.org>\r\nRCPT TO:<" + user.encode() + b">\r\nDATA\r\n")
        for _ in range(3):
            r = reply()
        if not r.startswith(b"354"):
            raise RuntimeError(r)
        s.sendall(data + b".\r\n")
        r = reply()
        if not r.startswith(b"250"):
            raise RuntimeError(r)
    s.sendall(b"QUIT\r\n"); reply(); s.close()

DOVECOT_CONF = """\
protocols = lmtp
listen = 127.0.0.1
base_dir = {wd}/run
state_dir = {wd}/state
instance_name = deliverbench
log_path = {wd}/dovecot.log
info_log_path = {wd}/dovecot.log
ssl = no
passdb {{
  driver = passwd
}}
userdb {{
  driver = passwd
}}
mail_location = {location}
lmtp_save_to_detail_mailbox = no
service lmtp {{
  unix_listener {wd}/dovecot-lmtp {{
    mode = 0666
  }}
}}
"""

LOCATIONS = {  # format: (Dovecot mail_location, imap4d mailbox-pattern, imap4d namespace type)
    "maildir": ("maildir:~/Maildir", "maildir://$home/Maildir", "maildir"),
    "mbox": ("mbox:~/mail:INBOX=~/mail/INBOX", "mbox://$home/mail/INBOX", "mbox"),
    "mh": (None, "mh://$home/mail/INBOX", "mh"),
}

def wait_for(path, server):
    for _ in range(400):
        if os.path.exists(path):
            return
        if server.poll() is not None:
            raise RuntimeError(f"server ended with status {server.returncode} before {path} appeared")
        time.sleep(0.05)
    raise RuntimeError(f"{path} did not appear")

def run_kind(kind, fmt, imap4d, lda, wd, name, msgs):
    """Seconds for delivering msgs by one kind; None when the kind does not support the format."""
    conf = os.path.join(wd, f"imap4d-{fmt}.conf")
    dconf = os.path.join(wd, f"dovecot-{fmt}.conf")
    server = None
    try:
        if kind == "dovecot-lda":
            # dovecot-lda asks the running instance's auth service for the user.
            server = subprocess.Popen(["dovecot", "-F", "-c", dconf], stderr=subprocess.DEVNULL)
            wait_for(os.path.join(wd, "run", "auth-userdb"), server)
        start = time.monotonic()
        if kind == "imap4d-lda":
            for m in msgs:
                subprocess.run([lda, "--config-file=" + conf, "--deliver", "-f", "sender@example.org", "--", name], input=m, check=True)
        elif kind == "dovecot-lda":
            for m in msgs:
                subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", dconf, "-d", name, "-f", "sender@example.org"], input=m, check=True)
        else:
            sock = os.path.join(wd, kind)
            if kind == "imap4d-lmtp":
                server = subprocess.Popen([imap4d, "--config-file=" + conf, "--daemon", "--foreground"], stderr=subprocess.DEVNULL)
            else:
                server = subprocess.Popen(["dovecot", "-F", "-c", dconf], stderr=subprocess.DEVNULL)
            wait_for(sock, server)
            start = time.monotonic()
            lmtp_session(sock, name, msgs)
        return time.monotonic() - start
    finally:
        if server:
            server.terminate(); server.wait(20)
            for leftover in ("imap4d-lmtp", "dovecot-lmtp"):
                try:
                    os.unlink(os.path.join(wd, leftover))
                except OSError:
                    pass

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imap4d", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--formats", "--format", default="maildir", help="comma-separated: maildir,mbox,mh")
    ap.add_argument("--only", default="imap4d-lda,dovecot-lda,imap4d-lmtp,dovecot-lmtp")
    ap.add_argument("--lda", help="the imap4d binary run per message (default: imap4d-session beside --imap4d if present)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    formats = args.formats.split(",")
    if any(f not in LOCATIONS for f in formats):
        sys.exit("formats: " + ",".join(LOCATIONS))
    imap4d = os.path.abspath(args.imap4d)
    session = os.path.join(os.path.dirname(imap4d), "imap4d-session")
    lda = os.path.abspath(args.lda) if args.lda else session if os.access(session, os.X_OK) else imap4d
    print(f"imap4d LDA binary: {lda}", flush=True)
    wd = tempfile.mkdtemp(prefix="deliver-bench-")
    os.chmod(wd, 0o755)
    name = "i4dbench%d" % os.getpid()
    subprocess.run(["useradd", "-m", "-d", os.path.join(wd, "home"), "-s", "/usr/sbin/nologin", "-U", name], check=True)
    user = pwd.getpwnam(name)
    msgs = list(messages(args.count))
    for fmt in formats:
        location, pattern, mtype = LOCATIONS[fmt]
        with open(os.path.join(wd, f"imap4d-{fmt}.conf"), "w") as f:
            f.write(f'logging {{ syslog no; severity warning; }};\nmailbox {{ mailbox-pattern "{pattern}"; }};\n'
                    f'namespace personal {{ prefix "" {{ directory "$home/mail"; mailbox-type {mtype}; }}; }};\n'
                    f'server {wd}/imap4d-lmtp {{ protocol lmtp; }};\n')
        if location:
            with open(os.path.join(wd, f"dovecot-{fmt}.conf"), "w") as f:
                f.write(DOVECOT_CONF.format(wd=wd, location=location))
    results = {}
    try:
        for fmt in formats:
            for kind in args.only.split(","):
                if kind.startswith("dovecot") and LOCATIONS[fmt][0] is None:
                    continue
                reset_home(user)
                elapsed = run_kind(kind, fmt, imap4d, lda, wd, name, msgs)
                got = count_messages(user.pw_dir, fmt)
                results[(fmt, kind)] = args.count / elapsed
                print(f"{kind:14} {fmt:8}: {args.count} messages in {elapsed:7.2f} s = {args.count / elapsed:8.1f} msg/s"
                      f"{'' if got == args.count else f'  (ONLY {got} ARRIVED)'}", flush=True)
        print(f"\n{'format':8} {'mode':5} {'imap4d msg/s':>13} {'Dovecot msg/s':>14} {'ratio':>6}")
        for fmt in formats:
            for mode in ("lda", "lmtp"):
                ours, theirs = results.get((fmt, "imap4d-" + mode)), results.get((fmt, "dovecot-" + mode))
                if ours is None:
                    continue
                print(f"{fmt:8} {mode:5} {ours:13.1f} {theirs if theirs else float('nan'):14.1f} "
                      f"{ours / theirs if theirs else float('nan'):6.2f}", flush=True)
    finally:
        subprocess.run(["userdel", "-r", "-f", name], stderr=subprocess.DEVNULL)
        shutil.rmtree(wd, ignore_errors=True)

if __name__ == "__main__":
    main()
