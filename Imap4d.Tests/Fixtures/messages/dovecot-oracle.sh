#!/bin/bash
# Captures Dovecot's view of every fixture into <name>.dovecot (BODY, BODYSTRUCTURE and
# ENVELOPE of the CRLF form, as printed by "doveadm fetch"). Needs dovecot-core installed;
# runs a private configuration, no daemon. Run as root (mail is accessed as "nobody") or as
# a normal user. Usage: dovecot-oracle.sh [name.eml ...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/imap4d-oracle.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
user=$(id -un); group=$(id -gn)
muser=$user; mgroup=$group
if [ "$(id -u)" = 0 ]; then muser=nobody; mgroup=$(id -gn nobody); fi
cat > "$work/dovecot.conf" <<CONF
base_dir = $work/run
state_dir = $work/state
log_path = $work/dovecot.log
default_internal_user = $user
default_internal_group = $group
default_login_user = $user
ssl = no
CONF
mkdir -p "$work/run" "$work/state"
cd "$here"
[ $# -gt 0 ] || set -- *.eml
for f in "$@"; do
    name=${f%.eml}
    d="$work/m.$name"
    mkdir -p "$d/Maildir/cur" "$d/Maildir/new" "$d/Maildir/tmp"
    # CRLF form: every LF gets a CR (the fixtures are stored with LF line ends).
    perl -pe 's/\r?\n/\r\n/g' "$f" > "$d/Maildir/cur/1.x:2,"
    chown -R "$muser:$mgroup" "$d"
    HOME=$d USER=$muser doveadm -f pager -c "$work/dovecot.conf" \
        -o "mail_location=maildir:$d/Maildir" -o "mail_uid=$muser" -o "mail_gid=$mgroup" \
        fetch 'imap.body imap.bodystructure imap.envelope' all > "$name.dovecot"
done
