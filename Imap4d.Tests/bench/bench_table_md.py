#!/usr/bin/env python3
"""bench_table_md.py SIZE [LABEL [DOVECOT_LABEL]]: markdown table of ours vs Dovecot from /tmp/tables/SIZE/*-LABEL.json (ratio = ours / Dovecot;
for rates (better=higher) the ratio is Dovecot/ours so that > 1 is always slower). MH is compared with dovecot-maildir.
DOVECOT_LABEL (default LABEL) takes Dovecot's figures from another run of the same machine."""
import json, sys, os
size = sys.argv[1]; label = sys.argv[2] if len(sys.argv) > 2 else "final"
dlabel = sys.argv[3] if len(sys.argv) > 3 else label
d = f"/tmp/tables/{size}"
def load(kind):
    p = f"{d}/{kind}-{dlabel if kind.startswith('dovecot') else label}.json"
    if not os.path.exists(p): return {}
    return {r["name"]: r for r in json.load(open(p))["results"] if r.get("status") == "ok"}
dm, om, dd, od, oh = (load(k) for k in ("dovecot-mbox", "imap4d-mbox", "dovecot-maildir", "imap4d-maildir", "imap4d-mh"))
def fmt(r):
    if not r: return "–"
    v = r["value"]; u = r.get("unit", "s")
    if u == "s":
        return f"{v*1000:.3g} ms" if v < 1 else f"{v:.3g} s"
    if u == "B": return f"{v/1e6:.0f} MB"
    return f"{v:.4g} {u}"
def ratio(base, ours):
    if not base or not ours or not base["value"] or not ours["value"]: return "–"
    r = ours["value"] / base["value"] if base.get("better", "lower") == "lower" else base["value"] / ours["value"]
    s = f"{r:.2f}×"
    return f"**{s}**" if r > 1.5 else s
names = [n for n in (list(dm) + [x for x in dd if x not in dm]) if not n.startswith("mem_") or True]
print(f"| {size} | mbox: Dovecot | ours | ratio | maildir: Dovecot | ours | ratio | MH: ours | ratio vs Dovecot maildir |")
print("|---|---|---|---|---|---|---|---|---|")
for n in names:
    print(f"| {n} | {fmt(dm.get(n))} | {fmt(om.get(n))} | {ratio(dm.get(n), om.get(n))} | {fmt(dd.get(n))} | {fmt(od.get(n))} | {ratio(dd.get(n), od.get(n))} | {fmt(oh.get(n))} | {ratio(dd.get(n), oh.get(n))} |")
