#!/bin/bash
# tests/e2e/test_relay_faults.sh - the whole relay under faults
#
# NAME
#	test_relay_faults.sh - kill -9 of chatmail-policyd during a burst,
#	and a full disk under the daemon's state
# DESCRIPTION
#	Starts the README's relay (scripts/relay.sh --builddir $top_builddir,
#	free loopback ports, a throwaway directory under /var/tmp) and works
#	with real PGP/MIME mail made by GnuPG at test time: one encrypted
#	body, sent as messages with distinct Subject and Message-ID
#	("fault N", "diskmem N", ...) so that every copy in the Maildirs can be
#	counted. The client is raw SMTP over bash's /dev/tcp, eight
#	sessions in parallel, half on the inbound port, half on submission
#	with SASL; each transaction records the reply that ended it.
#
#	kill -9: 200 messages are being submitted when the daemon gets
#	SIGKILL. It is restarted the way scripts/relay.sh starts it, the
#	queue is flushed (postqueue -f) and drained. Then: every message
#	answered 250 is in the Maildirs exactly once; every message answered
#	4xx is not (never accepted); no other reply. The 4xx ones are sent
#	again, as a client would, and all 200 are then there exactly once.
#	The quota of every user (chatmailctl quota get and doveadm quota get)
#	equals the bytes in the Maildir.
#
#	Full disk: the daemon's state (sqlite_path) is moved to a 1 MiB
#	tmpfs and filled with dd, first in in-memory mode (the relay's
#	sqlite_in_memory = yes, snapshots every 2 s), then with the database
#	served from the file. Mail keeps flowing (250 or 4xx, never 5xx,
#	nothing lost), the daemon stays up, the failed snapshot or flush is
#	logged naming the full disk, the file on disk stays intact; after the
#	space is freed a flush succeeds and the counters on disk account
#	for every message accepted meanwhile. In between, a stop and a start
#	on the full disk: the failed final snapshot is logged; the start
#	either works or is refused with a fatal line naming the disk (what
#	this build does), mail meanwhile gets 4xx and arrives, exactly once,
#	when it is sent again after the space is freed.
#
#	The "# N x REPLY" notes list the tempfail replies Postfix gave while
#	the daemon was dead (451 4.7.1 and 454 4.3.0 come from the milter
#	being unreachable at MAIL and AUTH, 450 4.7.1 from the policy
#	service's default_action=DEFER_IF_PERMIT).
#
#	Prints TAP-like lines and "N passed, M failed". Exit 0 pass, 1 fail,
#	77 skip (not root, or postfix, dovecot, gpg, sqlite3 missing).
#	E2E_KEEP=1 keeps the work directory (the relay is stopped anyway).
# SEE ALSO
#	scripts/relay.sh, tests/e2e/lib.sh, doc/store.md
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd postfix postconf postqueue dovecot doveadm gpg sqlite3 \
	base64 mount umount mountpoint dd
for b in "$E2E_POLICYD" "$E2E_CTL" \
	"$top_builddir/dovecot-plugin/.libs/lib95_chatmail_plugin.so"; do
	[ -e "$b" ] || e2e_bail "$b is not built"
done

e2e_workdir
R=$E2E_DIR/relay
MSG=$E2E_DIR/msg
RES=$E2E_DIR/res
STATE=$R/state
CONF=$R/policyd/chatmail.conf
N=200
mkdir -p "$MSG" "$RES"

# faults_cleanup - stop the relay (and a daemon we restarted: it is in
#	the same pid file), then unmount the state tmpfs
faults_cleanup() {
	"$top_srcdir/scripts/relay.sh" stop --dir "$R" >/dev/null 2>&1
	if mountpoint -q "$STATE"; then
		umount "$STATE" 2>/dev/null || umount -l "$STATE"
	fi
}
e2e_atexit faults_cleanup
e2e_on_fail "e2e_tail '$R/postfix/maillog' 30"
e2e_on_fail "e2e_tail '$R/dovecot/dovecot.log' 20"
e2e_on_fail "e2e_tail '$R/policyd/policyd.log' 40"

# ----------------------------------------------------------- SMTP client

# smtp_reply FD - read one (multi-line) reply; sets SMTP_LAST to its
#	last line; 0 when it is 2xx or 3xx
smtp_reply() {
	local line
	SMTP_LAST="000 timeout or connection closed"
	while IFS= read -r -t 30 line <&"$1"; do
		line=${line%$'\r'}
		[[ "$line" =~ ^[0-9]{3}- ]] && continue
		SMTP_LAST=$line
		[[ "$line" == [23]* ]]
		return
	done
	return 1
}

# smtp_send PORT FROM TO FILE [USER PASS] - one transaction on a new
#	connection (AUTH PLAIN when USER is given); FILE holds the message
#	in CRLF form ending with the "." line. Prints the reply that ended
#	the transaction: that to the end of data, or the first one that was
#	not 2xx/3xx ("000 ..." when the connection failed).
smtp_send() {
	local port=$1 from=$2 to=$3 file=$4 user=${5:-} pass=${6:-} fd cmd
	local -a cmds=("EHLO client.remote.example")
	[ -z "$user" ] || cmds+=("AUTH PLAIN $(printf '\0%s\0%s' "$user" \
		"$pass" | base64 -w0)")
	cmds+=("MAIL FROM:<$from>" "RCPT TO:<$to>" "DATA")
	if ! exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
		echo "000 connect failed"
		return
	fi
	if smtp_reply "$fd"; then
		for cmd in "${cmds[@]}"; do
			printf '%s\r\n' "$cmd" >&"$fd"
			smtp_reply "$fd" || break
		done
		if [[ "$SMTP_LAST" == 354* ]]; then
			cat "$file" >&"$fd"
			smtp_reply "$fd"
		fi
	fi
	printf 'QUIT\r\n' 2>/dev/null 1>&"$fd"
	exec {fd}>&-
	echo "$SMTP_LAST"
}

# ------------------------------------------------------------- messages

# route I - sets PORT FROM TO LOGIN for message I (LOGIN empty: no AUTH):
#	four kinds in turn, inbound and submission, to bob and to alice
route() {
	case $(($1 % 4)) in
	0) PORT=$SMTP FROM=friend@remote.example TO=bob@example.org LOGIN= ;;
	1) PORT=$SUB FROM=alice@example.org TO=bob@example.org LOGIN=$FROM ;;
	2) PORT=$SMTP FROM=friend@remote.example TO=alice@example.org LOGIN= ;;
	3) PORT=$SUB FROM=bob@example.org TO=alice@example.org LOGIN=$FROM ;;
	esac
}

# make_msg TAG I - $MSG/TAG-I.eml: the encrypted body, its own headers
make_msg() {
	local tag=$1 i=$2 PORT FROM TO LOGIN
	route "$i"
	{
		printf 'From: <%s>\r\nTo: <%s>\r\nSubject: %s %s\r\n' \
			"$FROM" "$TO" "$tag" "$i"
		printf 'Date: %s\r\nMessage-ID: <%s-%s.%s@remote.example>\r\n' \
			"$DATE" "$tag" "$i" "$$"
		printf '%s\r\n.\r\n' "$BODY"
	} >"$MSG/$tag-$i.eml"
}

# send_one TAG I - send message I, record its reply in $RES/TAG-I
send_one() {
	local tag=$1 i=$2 PORT FROM TO LOGIN
	route "$i"
	smtp_send "$PORT" "$FROM" "$TO" "$MSG/$tag-$i.eml" "$LOGIN" \
		"${LOGIN:+${PW[$LOGIN]}}" >"$RES/$tag-$i"
}

# send_all TAG IDS... - send them over 8 parallel sessions; waits
send_all() {
	local tag=$1 w i
	shift
	local -a ids=("$@")
	for ((w = 0; w < 8; w++)); do
		(
			for ((i = w; i < ${#ids[@]}; i += 8)); do
				send_one "$tag" "${ids[i]}"
			done
		) &
	done
	wait
}

# replies TAG CLASS - the ids of TAG whose last reply starts with CLASS
replies() {
	local f line
	for f in "$RES/$1"-*; do
		[ -f "$f" ] || continue
		IFS= read -r line <"$f"
		[[ "$line" == $2* ]] && echo "${f##*-}"
	done | sort -n
}

# reply_texts TAG CLASS - "COUNT x TEXT" notes for those replies
reply_texts() {
	local i line
	for i in $(replies "$1" "$2"); do
		IFS= read -r line <"$RES/$1-$i"
		echo "$line"
	done | sort | uniq -c | while read -r c line; do
		e2e_note "$c x $line"
	done
}

# copies TAG - "COUNT ID" per message id of TAG found in the Maildirs
copies() {
	find "$R/mail" -type f \( -path '*/new/*' -o -path '*/cur/*' \) \
		-exec grep -h -E "^Subject: $1 [0-9]+"$'\r?$' {} + |
		tr -d '\r' | awk '{ n[$3]++ } END { for (i in n) print n[i], i }' |
		sort -k2n
}

# ---------------------------------------------------- relay and daemon

# ctl ARGS... - chatmailctl against the relay's daemon
ctl() { "$E2E_CTL" -c "$CONF" "$@"; }

# policyd_pid - the daemon's pid (relay.sh writes it for --foreground)
policyd_pid() { cat "$R/policyd/chatmail-policyd.pid" 2>/dev/null; }

# policyd_up - 0 when the daemon itself answers on the control socket
#	(chatmailctl answers reads from the database when it does not,
#	with a note on stderr)
policyd_up() {
	local out
	out=$(ctl version 2>&1) && [[ "$out" != *"not running"* ]]
}

# policyd_restart - start the daemon as scripts/relay.sh does; 0 once
#	it answers, 1 when it exited or did not answer within 20 s
policyd_restart() {
	local pid n=200
	"$E2E_POLICYD" -c "$CONF" --foreground \
		>>"$R/policyd/policyd.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$R/policyd/chatmail-policyd.pid"
	disown
	while ((n-- > 0)); do
		policyd_up && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# policyd_stop - SIGTERM, wait up to 15 s
policyd_stop() {
	local pid n=150
	pid=$(policyd_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null
}

# queue_empty - 0 when the relay's Postfix queue is empty
queue_empty() {
	postqueue -c "$R/postfix/etc" -p 2>/dev/null | grep -q '^Mail queue is empty'
}

# maildir_bytes USER - the bytes of the messages in USER's Maildir
maildir_bytes() {
	local u=$1
	find "$R/mail/${u#*@}/${u%@*}/Maildir" -type f \
		\( -path '*/new/*' -o -path '*/cur/*' \) -printf '%s\n' 2>/dev/null |
		awk '{ s += $1 } END { print s + 0 }'
}

# db_received USER - message_counters.received of USER in the file on disk
db_received() {
	sqlite3 -readonly "$(sed -n 's/^sqlite_path *= *//p' "$CONF")" \
		"SELECT coalesce(sum(received), 0) FROM message_counters
		 WHERE user = '$1'" 2>&1
}

# phase WHAT - a note with the seconds since the start
phase() { e2e_note "$1 (${SECONDS}s)"; }

# conf_set KEY VALUE - set a key in the relay's chatmail.conf
conf_set() {
	sed -i "/^$1 *=/d" "$CONF"
	echo "$1 = $2" >>"$CONF"
}

# -------------------------------------------------------------- setup
export GNUPGHOME=$E2E_DIR/gnupg
mkdir -m 0700 "$GNUPGHOME"
e2e_atexit "gpgconf --kill all"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key bob@example.org future-default default never \
	>/dev/null 2>&1 || e2e_bail "gpg could not make a key"
BODY=$(
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="fault-e2e"\n\n'
	printf -- '--fault-e2e\nContent-Type: application/pgp-encrypted\n\n'
	printf 'Version: 1\n\n--fault-e2e\n'
	printf 'Content-Type: application/octet-stream; name="encrypted.asc"\n\n'
	printf 'Content-Type: text/plain\n\nhello from the fault test\n' |
		gpg --batch --quiet --trust-model always --armor --encrypt \
			--recipient bob@example.org
	printf '\n--fault-e2e--\n'
)
BODY=${BODY//$'\n'/$'\r\n'}
[[ "$BODY" == *"-----BEGIN PGP MESSAGE-----"* ]] ||
	e2e_bail "gpg made no PGP message"

SMTP=$(e2e_free_port) && SUB=$(e2e_free_port) && IMAP=$(e2e_free_port) ||
	e2e_bail "no free ports"
RELAY_SMTP_PORT=$SMTP RELAY_SUBMISSION_PORT=$SUB RELAY_IMAP_PORT=$IMAP \
	"$top_srcdir/scripts/relay.sh" start --dir "$R" \
	--builddir "$top_builddir" >"$E2E_DIR/relay.out" 2>&1 ||
	e2e_bail "the relay did not start: $(tail -n 20 "$E2E_DIR/relay.out")"
e2e_note "relay in $R: inbound $SMTP, submission $SUB"
declare -A PW=()
while read -r addr pass; do PW[$addr]=$pass; done <"$R/users.txt"
DATE=$(date -R)
# Many messages from two users within seconds: no rate limit here. The
# flush writes the in-memory database to disk, so that the setting
# survives the kill -9.
ctl settings set max_user_send_per_minute 0 >/dev/null &&
	ctl flush >/dev/null || e2e_bail "chatmailctl settings/flush failed"

# ------------------------------------------- kill -9 during a burst
phase "relay up"
for ((i = 1; i <= N; i++)); do make_msg fault "$i"; done
PID=$(policyd_pid)
[ -n "$PID" ] && kill -0 "$PID" || e2e_bail "no daemon pid in the pid file"
send_all fault $(seq 1 "$N") &
SENDER=$!
# kill it once about a third of the transactions have begun
n=300
while ((n-- > 0)); do
	shopt -s nullglob
	done_=("$RES"/fault-*)
	shopt -u nullglob
	[ "${#done_[@]}" -ge $((N / 3)) ] && break
	sleep 0.05
done
kill -KILL "$PID"
e2e_note "SIGKILL to chatmail-policyd after ${#done_[@]} of $N transactions began"
wait "$SENDER"
ok_first=$(replies fault 250 | wc -l)
tf_first=$(replies fault 4 | wc -l)
e2e_check "all $N transactions ended with 250 or 4xx" "^250=[0-9]+ 4xx=[0-9]+ other=0\$" \
	"250=$ok_first 4xx=$tf_first other=$((N - ok_first - tf_first))"
e2e_check_true "the kill landed during the burst" \
	"$ok_first accepted before or around it, $tf_first tempfailed after" \
	test "$ok_first" -gt 0 -a "$tf_first" -gt 0
bad=
for i in $(replies fault 4); do
	IFS= read -r line <"$RES/fault-$i"
	[[ "$line" =~ ^4[0-9]{2}\ 4\.[0-9]+\.[0-9]+\  ]] || bad="$bad [$line]"
done
e2e_check "every tempfail has a 4.x.x enhanced code" '^all$' "${bad:-all}"
reply_texts fault 4
phase "burst over"
# With the daemon still dead: what was accepted is delivered (the
# Dovecot plugin delivers without the daemon) or waits in the queue.
# Counted once the queue is empty or, when deliveries were deferred,
# still (a deferred message waits minutes for its next try).
e2e_wait_for 20 queue_empty
declare -A got=()
while read -r c id; do got[$id]=$c; done < <(copies fault)
queued=$(postqueue -c "$R/postfix/etc" -j | wc -l)
e2e_check "daemon dead: accepted = delivered + queued" "^$ok_first = " \
	"$((${#got[@]} + queued)) = ${#got[@]} delivered + $queued queued"

policyd_restart || e2e_bail "chatmail-policyd did not restart"
phase "daemon restarted"
postqueue -c "$R/postfix/etc" -f
e2e_check_true "the queue drains after restart and postqueue -f" \
	"postqueue -p: Mail queue is empty" e2e_wait_for 60 queue_empty
sleep 1
got=()
while read -r c id; do got[$id]=$c; done < <(copies fault)
bad=
for i in $(replies fault 250); do
	[ "${got[$i]:-0}" = 1 ] || bad="$bad $i(${got[$i]:-0})"
done
e2e_check "each of the $ok_first accepted messages delivered exactly once" \
	'^none missing or doubled$' "${bad:-none missing or doubled}${bad:+ wrong:$bad}"
bad=
for i in $(replies fault 4); do
	[ -z "${got[$i]:-}" ] || bad="$bad $i"
done
e2e_check "none of the $tf_first tempfailed messages was delivered" \
	'^none$' "${bad:-none}"

# The client sends the tempfailed ones again (a few rounds, as a queue).
phase "queue drained, resending"
for _ in 1 2 3; do
	mapfile -t again < <(replies fault 4)
	[ "${#again[@]}" -gt 0 ] || break
	send_all fault "${again[@]}"
done
e2e_check "resent messages accepted" '^4xx=0$' \
	"4xx=$(replies fault 4 | wc -l)"
e2e_wait_for 60 queue_empty
sleep 1
got=()
while read -r c id; do got[$id]=$c; done < <(copies fault)
bad=
for ((i = 1; i <= N; i++)); do
	[ "${got[$i]:-0}" = 1 ] || bad="$bad $i(${got[$i]:-0})"
done
e2e_check "all $N messages delivered exactly once in the end" \
	'^none missing or doubled$' "${bad:-none missing or doubled}${bad:+ wrong:$bad}"
phase "kill -9 part done"
e2e_check "messages in the Maildirs" "^$N\$" \
	"$(find "$R/mail" -type f -path '*/new/*' -o -type f -path '*/cur/*' | wc -l)"

for u in alice@example.org bob@example.org; do
	bytes=$(maildir_bytes "$u")
	e2e_check "chatmailctl quota of $u equals the bytes in its Maildir" \
		"^$bytes\$" "$(ctl quota get "$u" | awk '{ print $2 }')"
	e2e_check "doveadm quota of $u equals its Maildir (KiB, rounded up)" \
		"^$(((bytes + 1023) / 1024))\$" \
		"$("$R/bin/doveadm" quota get -u "$u" 2>&1 |
			awk '$3 == "STORAGE" { print $4 }')"
done

# ------------------------------------------------ full state disk
# disk_burst TAG FIRST LAST - send those messages; check their replies
disk_burst() {
	local tag=$1 i ok tf
	for ((i = $2; i <= $3; i++)); do make_msg "$tag" "$i"; done
	send_all "$tag" $(seq "$2" "$3")
	ok=$(replies "$tag" 250 | wc -l)
	tf=$(replies "$tag" 4 | wc -l)
	e2e_check "$tag: disk full, mail gets 250 or 4xx, never 5xx" \
		'^250=[0-9]+ 4xx=[0-9]+ other=0$' \
		"250=$ok 4xx=$tf other=$(($3 - $2 + 1 - ok - tf))"
}

# disk_delivered TAG COUNT - after resending 4xx: each exactly once
disk_delivered() {
	local tag=$1 n=$2 bad="" i
	local -a again
	mapfile -t again < <(replies "$tag" 4)
	[ "${#again[@]}" = 0 ] || send_all "$tag" "${again[@]}"
	e2e_wait_for 60 queue_empty
	sleep 1
	got=()
	while read -r c id; do got[$id]=$c; done < <(copies "$tag")
	for ((i = 1; i <= n; i++)); do
		[ "${got[$i]:-0}" = 1 ] || bad="$bad $i(${got[$i]:-0})"
	done
	e2e_check "$tag: all $n messages delivered exactly once" \
		'^none missing or doubled$' \
		"${bad:-none missing or doubled}${bad:+ wrong:$bad}"
}

# log_wait FROM ERE SECONDS - wait for a line of policyd.log after line
#	FROM that matches ERE; print it
log_wait() {
	local from=$1 re=$2 n=$(($3 * 10)) line
	while ((n-- > 0)); do
		line=$(tail -n +"$((from + 1))" "$R/policyd/policyd.log" |
			grep -m1 -E -- "$re") && { echo "$line"; return 0; }
		sleep 0.1
	done
	return 1
}

# log_mark - the number of lines in policyd.log now
log_mark() { wc -l <"$R/policyd/policyd.log"; }

# fill - fill the state tmpfs to the last block
fill() {
	dd if=/dev/zero of="$STATE/fill" bs=4096 >/dev/null 2>&1
	dd if=/dev/zero of="$STATE/fill2" bs=512 >/dev/null 2>&1
	df --output=avail -B1 "$STATE" | tail -n 1 | tr -d ' '
}

# Move the database onto a 1 MiB tmpfs: stop (the final snapshot),
# mount, copy, point sqlite_path at it, snapshot every 2 s.
policyd_stop || e2e_bail "chatmail-policyd did not stop"
mkdir -p "$STATE"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$STATE" ||
	e2e_bail "cannot mount a tmpfs on $STATE"
cp "$R/policyd/chatmail.db" "$STATE/chatmail.db" || e2e_bail "copy failed"
conf_set sqlite_path "$STATE/chatmail.db"
conf_set sqlite_sync_interval 2
policyd_restart || e2e_bail "chatmail-policyd did not start on the tmpfs"
ctl settings set flush_interval 1 >/dev/null && ctl flush >/dev/null ||
	e2e_bail "settings/flush on the tmpfs failed"
base_bob=$(db_received bob@example.org)
base_alice=$(db_received alice@example.org)
e2e_note "in-memory mode: the snapshot on disk counts bob=$base_bob alice=$base_alice received"
loglines=$(log_mark)
e2e_check "in-memory: the state disk is full" '^0$' "$(fill)"

disk_burst diskmem 1 40
phase "in-memory: burst on the full disk sent"
e2e_check "in-memory: the failed snapshot is logged naming the problem" \
	'sync: .*(disk is full|No space left)' \
	"$(log_wait "$loglines" 'sync: ' 10)"
e2e_check_true "in-memory: the daemon is still running" "pid $(policyd_pid)" \
	kill -0 "$(policyd_pid)"
e2e_check "in-memory: chatmailctl flush fails with the reason" \
	'(disk is full|No space left)' "$(ctl flush 2>&1)"
e2e_check "in-memory: the snapshot file on disk is intact" '^ok$' \
	"$(sqlite3 -readonly "$STATE/chatmail.db" 'PRAGMA integrity_check' 2>&1)"
e2e_check "in-memory: no temporary snapshot left behind" '^none$' \
	"$(test -e "$STATE/chatmail.db.tmp" && echo "chatmail.db.tmp" || echo none)"
rm -f "$STATE/fill" "$STATE/fill2"
e2e_check "in-memory: after freeing space chatmailctl flush succeeds" \
	'^written[[:space:]]+[0-9]+$' "$(ctl flush 2>&1)"
disk_delivered diskmem 40
phase "in-memory: done"
ok=$(replies diskmem 250 | wc -l)
want_bob=$((base_bob + 20))
want_alice=$((base_alice + 20))
ctl flush >/dev/null
e2e_check "in-memory: counters on disk account for every message" \
	"^bob=$want_bob alice=$want_alice\$" \
	"bob=$(db_received bob@example.org) alice=$(db_received alice@example.org)"

# A stop and a start while the disk is full (in-memory mode): the final
# snapshot fails (logged); the start may be refused, then Postfix
# tempfails until the daemon is back.
loglines=$(log_mark)
e2e_check "restart: the state disk is full" '^0$' "$(fill)"
policyd_stop
e2e_check "restart: SIGTERM on the full disk: the failed final snapshot is logged" \
	'final flush: .*(disk is full|No space left|I/O error)' \
	"$(log_wait "$loglines" 'final flush: ' 5)"
loglines=$(log_mark)
if policyd_restart; then
	started="started"
else
	started="refused to start: $(log_wait "$loglines" 'fatal: ' 1)"
fi
e2e_check "restart: on the full disk the daemon starts or says why not" \
	'^(started|refused to start: .*fatal: .*(disk is full|No space left|I/O error))' \
	"$started"
disk_burst diskstart 1 8
rm -f "$STATE/fill" "$STATE/fill2"
policyd_up || policyd_restart ||
	e2e_bail "chatmail-policyd does not start after freeing space"
disk_delivered diskstart 8
phase "restart on a full disk: done"

# The same with the database served from the file (WAL on the tmpfs).
policyd_stop || e2e_bail "chatmail-policyd did not stop"
conf_set sqlite_in_memory no
policyd_restart || e2e_bail "chatmail-policyd did not start in file mode"
ctl flush >/dev/null || e2e_bail "flush in file mode failed"
base_bob=$(db_received bob@example.org)
base_alice=$(db_received alice@example.org)
loglines=$(log_mark)
e2e_check "file mode: the state disk is full" '^0$' "$(fill)"
disk_burst diskfile 1 40
phase "file mode: burst on the full disk sent"
e2e_check "file mode: the failed flush is logged naming the problem" \
	'flush: .*(disk is full|No space left)' \
	"$(log_wait "$loglines" 'flush: ' 10)"
e2e_check_true "file mode: the daemon is still running" "pid $(policyd_pid)" \
	kill -0 "$(policyd_pid)"
e2e_check "file mode: a control write fails with the reason" \
	'(disk is full|No space left)' \
	"$(ctl quota set carol@example.org 100M 2>&1)"
rm -f "$STATE/fill" "$STATE/fill2"
e2e_check "file mode: after freeing space chatmailctl flush succeeds" \
	'^written[[:space:]]+[0-9]+$' "$(ctl flush 2>&1)"
disk_delivered diskfile 40
phase "file mode: done"
ctl flush >/dev/null
e2e_check "file mode: counters on disk account for every message" \
	"^bob=$((base_bob + 20)) alice=$((base_alice + 20))\$" \
	"bob=$(db_received bob@example.org) alice=$(db_received alice@example.org)"
e2e_check "file mode: the database is intact" '^ok$' \
	"$(sqlite3 -readonly "$STATE/chatmail.db" 'PRAGMA integrity_check' 2>&1)"
for u in alice@example.org bob@example.org; do
	e2e_check "quota of $u after the full disk equals its Maildir" \
		"^$(maildir_bytes "$u")\$" "$(ctl quota get "$u" | awk '{ print $2 }')"
done

e2e_summary
