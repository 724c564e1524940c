#!/bin/sh
# Regenerates the program-written fixtures from source.mbox (see README.md).
# Needs: mailutils-imap4d (imap4d), dovecot-imapd (/usr/lib/dovecot/imap), mutt, script(1), root
# (Dovecot refuses to run as root: a user "mboxtest" is created for it).
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/mbox-fixtures.XXXXXX)
chmod 755 "$work"

# 1. GNU mailutils imap4d: flags on three messages, an APPEND, then LOGOUT (saves; no expunge).
cp "$here/source.mbox" "$work/gnu"
printf 'mailbox { mailbox-pattern "%s/gnu"; };\n' "$work" > "$work/imap4d.conf"
printf 'a select INBOX\r\nb store 1 +flags (\\Flagged \\Answered)\r\nc store 2 +flags (\\Seen \\Draft)\r\nd store 3 +flags (\\Deleted)\r\ne append INBOX (\\Seen) "06-Apr-2024 08:00:00 +0200" {44}\r\nSubject: appended by GNU\r\n\r\nAppended body.\r\n\r\nf logout\r\n' \
  | timeout 20 imap4d --config-file="$work/imap4d.conf" --preauth -i > "$work/gnu.log"
cp "$work/gnu" "$here/gnu-imap4d.mbox"

# 2. Dovecot imap (preauth, run as an unprivileged user): flags, keywords, an APPEND.
id mboxtest >/dev/null 2>&1 || useradd -M -d "$work" mboxtest
mkdir -p "$work/dv/mail"
cp "$here/source.mbox" "$work/dv/inbox"
cat > "$work/dv/dovecot.conf" <<CONF
mail_location = mbox:$work/dv/mail:INBOX=$work/dv/inbox
mbox_write_locks = dotlock fcntl
log_path = $work/dv/log
ssl = no
CONF
chown -R mboxtest "$work/dv"
printf 'a select INBOX\r\nb store 1 +flags (\\Flagged \\Answered $Label1)\r\nc store 2 +flags (\\Seen \\Draft Junk)\r\nd store 3 +flags (\\Deleted)\r\ne append INBOX (\\Seen) "06-Apr-2024 08:00:00 +0200" {48}\r\nSubject: appended by Dovecot\r\n\r\nAppended body.\r\n\r\nf logout\r\n' \
  | timeout 20 runuser -u mboxtest -- env USER=mboxtest HOME="$work/dv" /usr/lib/dovecot/imap -c "$work/dv/dovecot.conf" > "$work/dv.log"
cp "$work/dv/inbox" "$here/dovecot.mbox"

# 3. mutt: mark message 1 read and flagged, message 2 deleted, sync without expunging.
cp "$here/source.mbox" "$work/mutt"
mkdir -p "$work/mutthome/Mail"
TERM=vt100 HOME="$work/mutthome" timeout 20 script -qec "mutt -n -F /dev/null -e 'set folder=$work/mutthome/Mail; set mbox_type=mbox; set delete=no; set mark_old=yes; set move=no; set quit=yes; set wait_key=no; push <display-message><exit><flag-message><next-undeleted><delete-message><sync-mailbox><quit>' -f $work/mutt" /dev/null > /dev/null 2>&1
cp "$work/mutt" "$here/mutt.mbox"
rm -rf "$work"
