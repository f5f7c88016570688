#!/bin/bash
# tests/e2e/test_relay.sh - the whole relay, end to end (issue 6 item 2)
#
# Starts scripts/relay.sh (Postfix + Dovecot + chatmail-policyd, the
# milter and the Dovecot plugins, in-memory SQLite) from $top_builddir in
# a work dir under /var/tmp on free loopback ports, and drives it with
# real clients: swaks and raw SMTP over /dev/tcp, a bash IMAP client
# (tests/e2e/relay_lib.sh), GnuPG for real PGP/MIME mail, chatmailctl,
# the relay's doveadm and sqlite3. It shows:
#   1. encrypted mail submitted by alice reaches bob's Maildir and a
#      client already in IDLE gets "* N EXISTS" (latency printed, only
#      a 10 s timeout asserted);
#   2. plaintext gets 523 5.7.10 on submission and on the inbound port;
#   3. a Secure-Join vc-request passes and is delivered;
#   4. blocklist, federation, size, quota and rate refusals, each with
#      its exact reply (texts: shared/cm_policy.c, behind Postfix's own
#      "<rcpt>: Recipient address rejected:" prefix);
#   5. doveadm quota get, chatmailctl quota get and chatmailctl stats
#      agree with the Maildirs and with the messages accepted;
#   6. SIGHUP applies a changed configuration key (local_domains: the
#      relay runs sqlite_in_memory = yes, where the settings SIGHUP
#      re-reads are the RAM copy chatmailctl already changed live) on a
#      policy connection and an SMTP session that stay open;
#   7. SIGTERM writes the counters to the database file.
#
# Exit 0 pass, 1 fail, 77 skip (not root; a host program missing).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/relay_lib.sh"

e2e_require_root
e2e_require_cmd postfix postconf postqueue swaks gpg gpgconf dovecot \
	doveadm sqlite3 unshare base64
for b in postfix-policy/chatmail-policyd postfix-policy/chatmailctl \
	 dovecot-plugin/.libs/lib95_chatmail_plugin.so \
	 dovecot-plugin/.libs/lib95_doveadm_chatmail_plugin.so; do
	[ -e "$top_builddir/$b" ] || e2e_bail "$top_builddir/$b is not built"
done

e2e_workdir
RD=$E2E_DIR/relay
MSG=$E2E_DIR/msg
ALICE=alice@example.org
BOB=bob@example.org
CAROL=carol@example.org
REMOTE=friend@remote.example
QUEUED='^250 2\.0\.0 Ok: queued as '
ENC='^523 5\.7\.10 Encryption Needed: Invalid Unencrypted Mail$'
SENT=0		# messages accepted from authenticated users
RCVD=0		# messages accepted for local users (one recipient each)
T0=$(rl_now)
mkdir -p "$MSG"

# accepted REPLY SASL - count a "queued as" reply (SASL 1 when sent by
#	an authenticated user)
accepted() {
	[[ "$1" =~ $QUEUED ]] || return 0
	RCVD=$((RCVD + 1))
	[ "$2" = 1 ] && SENT=$((SENT + 1))
	return 0
}

# send PORT USER FROM TO FILE [SWAKS ARGS] - swaks a message (AUTH as
#	USER unless "-"); prints the transcript
send() {
	local port=$1 user=$2 from=$3 to=$4 file=$5
	shift 5
	local -a auth=()
	[ "$user" = - ] ||
		auth=(--auth PLAIN --auth-user "$user" --auth-password "$(rl_pw "$user")")
	e2e_swaks "$port" "${auth[@]}" --from "$from" --to "$to" \
		--data "@$file" "$@"
}

# ctl_used USER - USED of `chatmailctl quota get USER`
ctl_used() { e2e_ctl quota get "$1" 2>/dev/null | awk '{ print $2; exit }'; }

# shellcheck disable=SC2317 # run through e2e_wait_for
# used_is USER BYTES - 0 when the daemon counts BYTES used for USER
used_is() { [ "$(ctl_used "$1")" = "$2" ]; }

# shellcheck disable=SC2317 # run through e2e_wait_for
# queue_empty - 0 when the relay's Postfix queue holds nothing
queue_empty() {
	postqueue -c "$RD/postfix/etc" -p 2>/dev/null | grep -q '^Mail queue is empty'
}

# shellcheck disable=SC2317 # run through e2e_check_true
# delivered USER MESSAGE_ID - wait (5 s) until the message is in the Maildir
delivered() { e2e_wait_for 5 rl_maildir_has "$RD/mail" "$1" "$2"; }

# pc_ask N - a RCPT request from y@partner.example to bob over the open
#	policy connection of policy_client, running as a coprocess that
#	reads on fd pc_in and answers on fd pc_out; prints the action line
pc_ask() {
	local line
	e2e_policy_request sender=y@partner.example recipient="$BOB" \
		instance="hup.$1" >&"$pc_in" || return 1
	IFS= read -r -t 10 line <&"$pc_out" && echo "$line"
}

# policyd_pid - the relay's chatmail-policyd
policyd_pid() { cat "$RD/policyd/chatmail-policyd.pid" 2>/dev/null; }

# ------------------------------------------------------------------ setup
SMTP=$(e2e_free_port) || e2e_bail "no free port"
SUB=$(e2e_free_port) || e2e_bail "no free port"
IMAP=$(e2e_free_port) || e2e_bail "no free port"
e2e_atexit "'$top_srcdir/scripts/relay.sh' stop --dir '$RD'"
E2E_ON_FAIL+=("e2e_tail '$RD/postfix/maillog' 30"
	      "e2e_tail '$RD/dovecot/dovecot.log' 20"
	      "e2e_tail '$RD/policyd/policyd.log' 30")
RELAY_SMTP_PORT=$SMTP RELAY_SUBMISSION_PORT=$SUB RELAY_IMAP_PORT=$IMAP \
	"$top_srcdir/scripts/relay.sh" start --dir "$RD" \
	--builddir "$top_builddir" >"$E2E_DIR/relay.log" 2>&1 ||
	{ sed 's/^/# /' "$E2E_DIR/relay.log"; e2e_bail "the relay did not start"; }
RL_USERS=$RD/users.txt
E2E_CONF=$RD/policyd/chatmail.conf
e2e_wait_for 10 e2e_smtp_banner "$SUB" || e2e_bail "no submission service"
e2e_note "relay in $RD: smtp $SMTP, submission $SUB, imap $IMAP" \
	"(up in $((($(rl_now) - T0) / 1000)) ms)"

export GNUPGHOME=$E2E_DIR/gnupg
mkdir -m 0700 "$GNUPGHOME"
e2e_atexit "gpgconf --kill all"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key "$rl_key_uid" future-default default never \
	>/dev/null 2>&1 || e2e_bail "gpg could not make a key"
e2e_policy_client_build || e2e_bail "tests/e2e/policy_client.c does not build"

# -------------------------------- 1. encrypted mail, delivered, IDLE wakes
rl_msg_encrypted "$ALICE" "$BOB" "$MSG/idle.eml"
e2e_check "gpg made a PGP/MIME message" '^-----BEGIN PGP MESSAGE-----$' \
	"$(grep -m1 '^-----BEGIN PGP' "$MSG/idle.eml")"
if rl_imap_open "$IMAP" "$BOB" && rl_imap_idle i1; then
	n0=$RL_IMAP_EXISTS
	rl_smtp_submit "$SUB" "$ALICE" "$ALICE" "$BOB" "$MSG/idle.eml" \
		>"$MSG/idle.out" 2>&1 &
	submit=$!
	rl_imap_wait_exists $((n0 + 1)) 10
	got=$?
	wait "$submit"
	reply=$(e2e_reply_to '^\.$' <"$MSG/idle.out")
	accepted "$reply" 1
	e2e_check "submission: encrypted mail alice -> bob accepted" \
		"$QUEUED" "$reply"
	eod=$(sed -n 's/^# eod_at=//p' "$MSG/idle.out")
	if [ "$got" = 0 ] && [ -n "$eod" ]; then
		e2e_note "IDLE latency: end of DATA acknowledged -> * $RL_IMAP_EXISTS EXISTS:" \
			"$(awk -v us=$((RL_IMAP_EXISTS_AT - eod)) 'BEGIN { printf "%.1f ms", us / 1000 }')"
	fi
	e2e_check "IDLE client gets * N EXISTS (10 s timeout)" \
		"^\\* $((n0 + 1)) EXISTS\$" \
		"$([ "$got" = 0 ] && echo "* $RL_IMAP_EXISTS EXISTS")"
	rl_imap_close i2
else
	e2e_check "IMAP LOGIN, SELECT and IDLE as bob" '^idling$' "failed"
fi
e2e_check_true "the message is in bob's Maildir" "$(rl_msgid "$MSG/idle.eml")" \
	delivered "$BOB" "$(rl_msgid "$MSG/idle.eml")"

# --------------------------------------------------- 2. plaintext refused
rl_msg_plain "$ALICE" "$BOB" "$MSG/out_plain.eml"
rl_msg_plain "$REMOTE" "$BOB" "$MSG/in_plain.eml"
counted0="sent $(e2e_stat messages_sent), received $(e2e_stat messages_received)"
e2e_check "submission: plaintext refused" "$ENC" \
	"$(send "$SUB" "$ALICE" "$ALICE" "$BOB" "$MSG/out_plain.eml" | e2e_reply_to '^\.$')"
e2e_check "inbound: plaintext refused" "$ENC" \
	"$(send "$SMTP" - "$REMOTE" "$BOB" "$MSG/in_plain.eml" | e2e_reply_to '^\.$')"
e2e_check "refused mail is not counted (messages_sent, messages_received)" \
	"^$counted0\$" \
	"sent $(e2e_stat messages_sent), received $(e2e_stat messages_received)"
rl_msg_encrypted "$REMOTE" "$BOB" "$MSG/in.eml"
reply=$(send "$SMTP" - "$REMOTE" "$BOB" "$MSG/in.eml" | e2e_reply_to '^\.$')
accepted "$reply" 0
e2e_check "inbound: encrypted mail from a remote domain accepted" \
	"$QUEUED" "$reply"

# ------------------------------------------ 3. Secure-Join vc-request
rl_msg_securejoin "$ALICE" "$CAROL" "$MSG/sj.eml"
reply=$(send "$SUB" "$ALICE" "$ALICE" "$CAROL" "$MSG/sj.eml" | e2e_reply_to '^\.$')
accepted "$reply" 1
e2e_check "submission: Secure-Join vc-request accepted" "$QUEUED" "$reply"
e2e_check_true "the Secure-Join request is in carol's Maildir" \
	"$(rl_msgid "$MSG/sj.eml")" delivered "$CAROL" "$(rl_msgid "$MSG/sj.eml")"

# ------------------------------------------------------- 4. refusals
# rcpt PORT FROM TO - the reply to RCPT TO on the inbound port
rcpt() {
	e2e_swaks "$1" --from "$2" --to "$3" --quit-after RCPT |
		e2e_reply_to '^RCPT TO:'
}

e2e_ctl_quiet blocklist add address spam@remote.example e2e
e2e_check "blocklisted sender" \
	'^550 5\.7\.1 <bob@example\.org>: Recipient address rejected: Sender address blocked by policy$' \
	"$(rcpt "$SMTP" spam@remote.example "$BOB")"
e2e_ctl_quiet blocklist del address spam@remote.example

e2e_ctl_quiet federation add listed denied.example
e2e_check "federation-denied remote domain (inbound)" \
	'^550 5\.7\.1 <bob@example\.org>: Recipient address rejected: Sender domain denied\.example is not federated with this relay$' \
	"$(rcpt "$SMTP" x@denied.example "$BOB")"
e2e_ctl_quiet federation del listed denied.example

e2e_check "declared SIZE over max_message_size (30 MiB)" \
	'^552 5\.3\.4 <bob@example\.org>: Recipient address rejected: Message size exceeds fixed limit$' \
	"$(e2e_smtp "$SMTP" "EHLO client.remote.example" \
		"MAIL FROM:<$REMOTE> SIZE=31457281" "RCPT TO:<$BOB>" |
		e2e_reply_to '^RCPT TO:')"
e2e_ctl_quiet settings set max_message_size 8K
rl_msg_encrypted "$ALICE" "$BOB" "$MSG/big.eml" 12000
e2e_note "big message: $(wc -c <"$MSG/big.eml") bytes, max_message_size 8K"
e2e_check "real size over a lowered max_message_size (submission)" \
	'^552 5\.3\.4 <END-OF-MESSAGE>: End-of-data rejected: Message size exceeds fixed limit$' \
	"$(send "$SUB" "$ALICE" "$ALICE" "$BOB" "$MSG/big.eml" | e2e_reply_to '^\.$')"
e2e_ctl_quiet settings reset max_message_size

# carol holds the Secure-Join request: a max one byte under her use is
# already over; a max 100 bytes over it cannot take a 1 KB message.
used=$(rl_maildir_bytes "$RD/mail" "$CAROL")
e2e_wait_for 5 used_is "$CAROL" "$used"
e2e_ctl_quiet quota set "$CAROL" $((used - 1))
e2e_check "recipient over quota (RCPT)" \
	'^552 5\.2\.2 <carol@example\.org>: Recipient address rejected: Mailbox full$' \
	"$(rcpt "$SMTP" "$REMOTE" "$CAROL")"
e2e_ctl_quiet quota set "$CAROL" $((used + 100))
rl_msg_encrypted "$REMOTE" "$CAROL" "$MSG/quota.eml"
e2e_check "message that would exceed the quota (end of DATA)" \
	'^552 5\.2\.2 <END-OF-MESSAGE>: End-of-data rejected: Mailbox full$' \
	"$(send "$SMTP" - "$REMOTE" "$CAROL" "$MSG/quota.eml" | e2e_reply_to '^\.$')"
e2e_ctl_quiet quota set "$CAROL" 1G

e2e_ctl_quiet settings set max_user_send_per_minute 1
e2e_ctl_quiet settings set max_user_send_burst 3
rate_ok=0 rate_reply=
for i in 1 2 3 4 5 6; do
	rl_msg_encrypted "$CAROL" "$BOB" "$MSG/rate$i.eml"
	out=$(send "$SUB" "$CAROL" "$CAROL" "$BOB" "$MSG/rate$i.eml")
	r=$(e2e_reply_to '^RCPT TO:' <<<"$out")
	if [[ "$r" == 4* ]]; then rate_reply=$r; break; fi
	reply=$(e2e_reply_to '^\.$' <<<"$out")
	accepted "$reply" 1
	[[ "$reply" =~ $QUEUED ]] && rate_ok=$((rate_ok + 1))
done
e2e_check "rate-limited sender (per minute 1, burst 3)" \
	'^450 4\.7\.1 <bob@example\.org>: Recipient address rejected: Sender rate limit exceeded, try again later$' \
	"$rate_reply"
e2e_check "rate: the burst passed before the refusal" '^3 accepted$' \
	"$rate_ok accepted"
e2e_ctl_quiet settings reset max_user_send_per_minute
e2e_ctl_quiet settings reset max_user_send_burst

# ------------------------------------ 5. quota and counters agree with disk
e2e_wait_for 10 queue_empty || e2e_note "the Postfix queue is not empty"
e2e_note "accepted: $SENT from authenticated users, $RCVD for local users"
total=0 files=0
for u in "$ALICE" "$BOB" "$CAROL"; do
	bytes=$(rl_maildir_bytes "$RD/mail" "$u")
	total=$((total + bytes))
	files=$((files + $(rl_maildir_count "$RD/mail" "$u")))
	e2e_wait_for 5 used_is "$u" "$bytes"
	e2e_check "chatmailctl quota get $u = Maildir ,S= sum" "^$bytes\$" \
		"$(ctl_used "$u")"
	# doveadm shows STORAGE in KiB, rounded up (Dovecot's quota.c)
	e2e_check "doveadm quota get -u $u = ceil(Maildir bytes / 1024)" \
		"^$(((bytes + 1023) / 1024))\$" \
		"$("$RD/bin/doveadm" -f tab quota get -u "$u" 2>&1 |
		   awk -F '\t' '$2 == "STORAGE" { print $3 }')"
done
e2e_check "Maildir files = messages accepted for local users" "^$RCVD\$" \
	"$files"
e2e_check "chatmailctl stats bytes_used = Maildir total" "^$total\$" \
	"$(e2e_stat bytes_used)"
e2e_check "chatmailctl stats messages_sent = accepted from users" \
	"^$SENT\$" "$(e2e_stat messages_sent)"
e2e_check "chatmailctl stats messages_received = accepted for users" \
	"^$RCVD\$" "$(e2e_stat messages_received)"
e2e_note "the gate refused $(( $(e2e_stat gate_incoming_refused_encryption) + $(e2e_stat gate_outgoing_refused_encryption) )) plaintext messages"

# ------------------------------------- 6. SIGHUP applies local_domains
pid=$(policyd_pid)
e2e_ctl_quiet federation add listed partner.example
rl_smtp_open "$SMTP" || e2e_bail "no SMTP session for the SIGHUP check"
rl_smtp_cmd "EHLO client.remote.example" >/dev/null
rl_smtp_cmd "MAIL FROM:<x@partner.example>" >/dev/null
e2e_check "before SIGHUP: partner.example is a denied remote domain" \
	'^550 5\.7\.1 <bob@example\.org>: Recipient address rejected: Sender domain partner\.example is not federated with this relay$' \
	"$(rl_smtp_cmd "RCPT TO:<$BOB>")"
rl_smtp_cmd RSET >/dev/null
coproc PCLIENT { exec "$E2E_POLICY_CLIENT" "$RD/policyd/policy.sock" 2>&1; }
pc_in=${PCLIENT[1]} pc_out=${PCLIENT[0]} pc_pid=$PCLIENT_PID
e2e_check "policy connection before SIGHUP: refused" \
	'^action=550 5\.7\.1 Sender domain partner\.example is not federated with this relay$' \
	"$(pc_ask 1)"
hydrates=$(grep -c 'hydrate:' "$RD/policyd/policyd.log")
sed -i 's/^local_domains = .*/local_domains = example.org, partner.example/' \
	"$E2E_CONF"
kill -HUP "$pid"
# the reload publishes the new configuration, then re-walks the Maildirs
# shellcheck disable=SC2317 # called through e2e_wait_for
rewalked() { [ "$(grep -c 'hydrate:' "$RD/policyd/policyd.log")" -gt "$hydrates" ]; }
e2e_wait_for 10 rewalked || e2e_note "no hydrate line after SIGHUP"
e2e_check "the same policy connection after SIGHUP: partner.example is local" \
	'^action=DUNNO$' "$(pc_ask 2)"
rl_smtp_cmd "MAIL FROM:<x@partner.example>" >/dev/null
e2e_check "the same SMTP session after SIGHUP: RCPT passes" \
	'^250 2\.1\.5 Ok$' "$(rl_smtp_cmd "RCPT TO:<$BOB>")"
rl_smtp_close
exec {pc_in}>&-
wait "$pc_pid" 2>/dev/null
e2e_check "same daemon after SIGHUP, reload logged without error" \
	"^pid $pid, reload ok\$" \
	"pid $(policyd_pid), $(kill -0 "$pid" 2>/dev/null &&
		grep -q 'reload: SIGHUP' "$RD/policyd/policyd.log" &&
		! grep -q 'keeping the previous' "$RD/policyd/policyd.log" &&
		echo reload ok)"
e2e_ctl_quiet federation del listed partner.example

# ---------------------------------- 7. SIGTERM writes counters to SQLite
DB=$RD/policyd/chatmail.db
sent=$(e2e_stat messages_sent)
rcvd=$(e2e_stat messages_received)
e2e_check "the database file has no counters before SIGTERM" '^0 0$' \
	"$(sqlite3 -readonly -separator ' ' "$DB" 'SELECT coalesce(sum(sent), 0), coalesce(sum(received), 0) FROM message_counters;' 2>&1)"
kill -TERM "$pid"
# shellcheck disable=SC2317 # called through e2e_wait_for
gone() { ! kill -0 "$pid" 2>/dev/null; }
e2e_check_true "chatmail-policyd exits on SIGTERM" "pid $pid" \
	e2e_wait_for 15 gone
e2e_check "message_counters in the file = stats before the stop" \
	"^$sent $rcvd\$" \
	"$(sqlite3 -readonly -separator ' ' "$DB" 'SELECT sum(sent), sum(received) FROM message_counters;' 2>&1)"
e2e_note "whole test: $((($(rl_now) - T0) / 1000000)) s"

e2e_summary
