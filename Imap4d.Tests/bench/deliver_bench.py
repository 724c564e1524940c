#!/usr/bin/env python3
"""Local delivery benchmark: N messages by LDA and by LMTP, imap4d against Dovecot.

Run as root (deliveries switch to a throw-away system user), under the bench lock:

    flock /tmp/bench.lock python3 Imap4d.Tests/bench/deliver_bench.py --imap4d build/bin/imap4d --count 10000

Every server delivers the same N messages (2-6 KB, deterministic) into a fresh maildir (or
mbox with --format mbox) of the same user: `imap4d --deliver` and `dovecot-lda -d USER`
are started once per message, as an MTA's mailbox_command would; the LMTP peers (imap4d's
daemon on a Unix socket, Dovecot's lmtp service) get one connection with N transactions of
one recipient each. Prints messages per second and checks that every message arrived.
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
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(1 for line in f if line.startswith(b"Message-ID: <bench"))

def reset_home(user, fmt):
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

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imap4d", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--format", choices=("maildir", "mbox"), default="maildir")
    ap.add_argument("--only", default="imap4d-lda,dovecot-lda,imap4d-lmtp,dovecot-lmtp")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root")
    imap4d = os.path.abspath(args.imap4d)
    wd = tempfile.mkdtemp(prefix="deliver-bench-")
    os.chmod(wd, 0o755)
    name = "i4dbench%d" % os.getpid()
    subprocess.run(["useradd", "-m", "-d", os.path.join(wd, "home"), "-s", "/usr/sbin/nologin", "-U", name], check=True)
    user = pwd.getpwnam(name)
    msgs = list(messages(args.count))
    location = "maildir:~/Maildir" if args.format == "maildir" else "mbox:~/mail:INBOX=~/mail/INBOX"
    pattern = "maildir://$home/Maildir" if args.format == "maildir" else "mbox://$home/mail/INBOX"
    conf = os.path.join(wd, "imap4d.conf")
    with open(conf, "w") as f:
        f.write(f'logging {{ syslog no; severity warning; }};\nmailbox {{ mailbox-pattern "{pattern}"; }};\n'
                f'namespace personal {{ prefix "" {{ directory "$home/mail"; }}; }};\n'
                f'server {wd}/imap4d-lmtp {{ protocol lmtp; }};\n')
    with open(os.path.join(wd, "dovecot.conf"), "w") as f:
        f.write(DOVECOT_CONF.format(wd=wd, location=location))
    results = {}
    try:
        for kind in args.only.split(","):
            reset_home(user, args.format)
            server = None
            if kind == "dovecot-lda":
                # dovecot-lda asks the running instance's auth service for the user.
                server = subprocess.Popen(["dovecot", "-F", "-c", os.path.join(wd, "dovecot.conf")], stderr=subprocess.DEVNULL)
                for _ in range(200):
                    if os.path.exists(os.path.join(wd, "run", "auth-userdb")):
                        break
                    time.sleep(0.05)
            start = time.monotonic()
            if kind == "imap4d-lda":
                for m in msgs:
                    subprocess.run([imap4d, "--config-file=" + conf, "--deliver", "-f", "sender@example.org", "--", name], input=m, check=True)
            elif kind == "dovecot-lda":
                for m in msgs:
                    subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", os.path.join(wd, "dovecot.conf"), "-d", name, "-f", "sender@example.org"], input=m, check=True)
            else:
                sock = os.path.join(wd, kind)
                if kind == "imap4d-lmtp":
                    server = subprocess.Popen([imap4d, "--config-file=" + conf, "--daemon", "--foreground"], stderr=subprocess.DEVNULL)
                else:
                    server = subprocess.Popen(["dovecot", "-F", "-c", os.path.join(wd, "dovecot.conf")], stderr=subprocess.DEVNULL)
                for _ in range(200):
                    if os.path.exists(sock):
                        break
                    time.sleep(0.05)
                start = time.monotonic()
                lmtp_session(sock, name, msgs)
            elapsed = time.monotonic() - start
            if server:
                server.terminate(); server.wait(20)
            got = count_messages(user.pw_dir, args.format)
            results[kind] = (elapsed, got)
            print(f"{kind:14} {args.format}: {args.count} messages in {elapsed:7.2f} s = {args.count / elapsed:8.1f} msg/s"
                  f"{'' if got == args.count else f'  (ONLY {got} ARRIVED)'}", flush=True)
    finally:
        subprocess.run(["userdel", "-r", "-f", name], stderr=subprocess.DEVNULL)
        shutil.rmtree(wd, ignore_errors=True)

if __name__ == "__main__":
    main()
