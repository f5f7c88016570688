#!/bin/bash
# bench/relay.sh - messages/s through the whole relay, with and without chatmail
#
# NAME
#	relay.sh - the work of bench/relay
# SYNOPSIS
#	bench/relay.sh --builddir DIR [--quick] [--messages N] [--sessions N]
#		[--keep]
# DESCRIPTION
#	Starts the README's relay (scripts/relay.sh --builddir DIR) in a
#	throwaway directory under /var/tmp on free loopback ports, makes one
#	real PGP/MIME message with GnuPG (a throwaway key), and pushes it N
#	times (default 2000; --quick 100) with smtp-source at --sessions
#	(default 8) parallel sessions into the inbound (port-25 style)
#	port, from a remote sender to one local user. A run is timed from
#	the start of smtp-source until all N messages are files in that
#	user's Maildir (Postfix queue, LMTP and Dovecot included).
#
#	Two runs on the same Postfix and Dovecot, each after an unmeasured
#	warm-up of 40 messages to another user:
#	  full  the relay as scripts/relay.sh configures it: the policy
#	        service at RCPT and END-OF-DATA, the milter (the encryption
#	        gate), and mail_plugins = quota chatmail in Dovecot with the
#	        chatmail quota backend; checked by the daemon's counters
#	        (gate_incoming_encrypted) afterwards;
#	  bare  the same instances after postconf -e (no check_policy_service,
#	        no smtpd_milters) + postfix reload, mail_plugins emptied and
#	        the chatmail quota lines removed + doveadm reload, and
#	        chatmail-policyd stopped (so nothing can still use it).
#	Each run delivers to a fresh Maildir (bob, then carol).
#
#	Output: a header line, one row per run (messages, seconds,
#	messages/s), the overhead (1 - full/bare messages/s, in %), and
#	whether the target (overhead < 10 %) is met.
# DIAGNOSTICS
#	Exit 0 when every message arrived in both runs, whatever the rates;
#	1 when something broke (the relay did not start, smtp-source got a
#	reply it did not expect, not all messages arrived in time) with the
#	ends of the logs on stderr; 77 when not root or a tool is missing.
#	--keep keeps the directory (the relay is stopped anyway).
# SEE ALSO
#	bench/relay.c, scripts/relay.sh, smtp-source(1)
set -u
export LC_ALL=C
top=$(cd "$(dirname "$0")/.." && pwd)

N=2000
SESSIONS=8
BUILD=
KEEP=0
WARM=40
W=
R=

relay_bench_usage() {
	echo "usage: bench/relay.sh --builddir DIR [--quick] [--messages N]" \
	     "[--sessions N] [--keep]" >&2
	exit 2
}

# relay_bench_fail WHAT - the ends of the logs, then exit 1
relay_bench_fail() {
	local f
	echo "bench/relay: $*" >&2
	for f in postfix/maillog dovecot/dovecot.log policyd/policyd.log; do
		[ -f "$R/$f" ] || continue
		echo "== $R/$f" >&2
		tail -n 15 "$R/$f" >&2
	done
	exit 1
}

# relay_bench_cleanup - stop the relay, remove the directory (EXIT trap)
relay_bench_cleanup() {
	[ -n "$W" ] || return 0
	[ -z "$R" ] || "$top/scripts/relay.sh" stop --dir "$R" >/dev/null 2>&1
	[ -z "${GNUPGHOME:-}" ] || gpgconf --kill all >/dev/null 2>&1
	if [ "$KEEP" = 1 ]; then
		echo "bench/relay: kept $W" >&2
	else
		rm -rf -- "$W"
	fi
}

# relay_bench_port - print a free loopback port not printed before
relay_bench_port() {
	local p n=0
	while ((n++ < 200)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case " ${RELAY_BENCH_PORTS:-} " in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			RELAY_BENCH_PORTS="${RELAY_BENCH_PORTS:-} $p"
			echo "$p"
			return 0
		fi
	done
	return 1
}

# relay_bench_count USER - messages in USER's Maildir (new/ and cur/)
relay_bench_count() {
	local md=$R/mail/example.org/$1/Maildir
	local -a f
	shopt -s nullglob
	f=("$md"/new/* "$md"/cur/*)
	shopt -u nullglob
	echo "${#f[@]}"
}

# relay_bench_run USER COUNT - send COUNT messages to USER, wait until
#	they are all in its Maildir; prints the seconds it took
relay_bench_run() {
	local user=$1 count=$2 t0 t1 have limit
	have=$(relay_bench_count "$user")
	[ "$have" = 0 ] || relay_bench_fail "$user's Maildir is not empty"
	t0=$EPOCHREALTIME
	smtp-source -4 -s "$SESSIONS" -m "$count" -M client.remote.example \
		-f friend@remote.example -t "$user@example.org" \
		-F "$W/msg.eml" "127.0.0.1:$SMTP" >"$W/smtp-source.out" 2>&1 ||
		relay_bench_fail "smtp-source to $user failed:" \
			"$(tail -n 3 "$W/smtp-source.out")"
	limit=$(awk -v t="$t0" -v n="$count" 'BEGIN { printf "%d", t + 60 + n / 10 }')
	while :; do
		have=$(relay_bench_count "$user")
		[ "$have" -ge "$count" ] && break
		[ "${EPOCHREALTIME%.*}" -lt "$limit" ] ||
			relay_bench_fail "only $have of $count messages reached $user"
		read -r -t 0.005 -u "$TICK" _
	done
	t1=$EPOCHREALTIME
	[ "$have" = "$count" ] ||
		relay_bench_fail "$user got $have messages for $count sent"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# relay_bench_strip - the same Postfix and Dovecot without chatmail
relay_bench_strip() {
	local pf=$R/postfix/etc dc=$R/dovecot/dovecot.conf pid n=150
	postconf -c "$pf" -e \
		"smtpd_recipient_restrictions = reject_unauth_destination" \
		"smtpd_end_of_data_restrictions =" "smtpd_milters =" \
		"non_smtpd_milters =" || return 1
	postfix -c "$pf" reload >/dev/null 2>&1 || return 1
	sed -i -e 's/^mail_plugins = .*/mail_plugins =/' \
		-e '/^  quota = chatmail:/d' -e '/^  chatmail_socket = /d' "$dc"
	doveadm -c "$dc" reload || return 1
	pid=$(cat "$R/policyd/chatmail-policyd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null || return 1
	[ -z "$(doveconf -c "$dc" -h mail_plugins)" ] &&
		[ -z "$(postconf -c "$pf" -h smtpd_milters)" ] || return 1
	sleep 1	# let the reloads take hold
}

# relay_bench_gate - the daemon's gate_incoming_encrypted counter
relay_bench_gate() {
	"$BUILD/postfix-policy/chatmailctl" -c "$R/policyd/chatmail.conf" \
		stats 2>/dev/null | awk '$1 == "gate_incoming_encrypted" { print $2 }'
}

# relay_bench_message - $W/msg.eml, PGP/MIME to a fresh key of bob's
relay_bench_message() {
	export GNUPGHOME=$W/gnupg
	mkdir -m 0700 "$GNUPGHOME"
	gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
		--quick-gen-key bob@example.org future-default default never \
		>/dev/null 2>&1 || return 1
	{
		printf 'From: <friend@remote.example>\nTo: <bob@example.org>\n'
		printf 'Subject: [...]\nMessage-ID: <bench-relay.%s@remote.example>\n' "$$"
		printf 'Date: %s\nMIME-Version: 1.0\n' "$(date -R)"
		printf 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="bench-relay"\n\n'
		printf -- '--bench-relay\nContent-Type: application/pgp-encrypted\n\n'
		printf 'Version: 1\n\n--bench-relay\n'
		printf 'Content-Type: application/octet-stream; name="encrypted.asc"\n\n'
		printf 'Content-Type: text/plain\n\nhello from bench/relay\n' |
			gpg --batch --quiet --trust-model always --armor \
				--encrypt --recipient bob@example.org
		printf '\n--bench-relay--\n'
	} >"$W/msg.eml"
	grep -q '^-----BEGIN PGP MESSAGE-----$' "$W/msg.eml"
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) N=100 ;;
	--messages) [ $# -ge 2 ] || relay_bench_usage; N=$2; shift ;;
	--sessions) [ $# -ge 2 ] || relay_bench_usage; SESSIONS=$2; shift ;;
	--builddir) [ $# -ge 2 ] || relay_bench_usage; BUILD=$2; shift ;;
	--keep) KEEP=1 ;;
	*) relay_bench_usage ;;
	esac
	shift
done
[[ "$N" =~ ^[1-9][0-9]*$ && "$SESSIONS" =~ ^[1-9][0-9]*$ ]] ||
	relay_bench_usage
[ -n "$BUILD" ] || relay_bench_usage
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: bench/relay needs root (it starts Postfix and Dovecot)" >&2
	exit 77
fi
for c in smtp-source gpg postfix postconf dovecot doveadm doveconf; do
	command -v "$c" >/dev/null 2>&1 ||
		{ echo "SKIP: bench/relay needs $c" >&2; exit 77; }
done

W=$(mktemp -d /var/tmp/bench-relay.XXXXXX) || exit 1
chmod 0755 "$W"
trap relay_bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
exec {TICK}<> <(:)
relay_bench_message || relay_bench_fail "gpg could not make the message"
SMTP=$(relay_bench_port) && SUB=$(relay_bench_port) &&
	IMAP=$(relay_bench_port) || relay_bench_fail "no free ports"
R=$W/relay
RELAY_SMTP_PORT=$SMTP RELAY_SUBMISSION_PORT=$SUB RELAY_IMAP_PORT=$IMAP \
	"$top/scripts/relay.sh" start --dir "$R" --builddir "$BUILD" \
	--users "alice bob carol dave" >"$W/relay.out" 2>&1 ||
	relay_bench_fail "the relay did not start: $(tail -n 5 "$W/relay.out")"

relay_bench_run alice "$WARM" >/dev/null
full=$(relay_bench_run bob "$N") || exit 1
gate=$(relay_bench_gate)
[ "${gate:-0}" -ge $((N + WARM)) ] ||
	relay_bench_fail "the milter saw ${gate:-no} messages, not $((N + WARM))"
relay_bench_strip || relay_bench_fail "could not strip chatmail out"
relay_bench_run dave "$WARM" >/dev/null
bare=$(relay_bench_run carol "$N") || exit 1

size=$(wc -c <"$W/msg.eml")
echo "bench/relay: $N PGP/MIME messages ($size bytes) with smtp-source -s $SESSIONS into the inbound port, until all are in the Maildir"
echo "full = policy service + milter + Dovecot chatmail plugin; bare = the same Postfix and Dovecot without them"
awk -v n="$N" -v full="$full" -v bare="$bare" 'BEGIN {
	rf = n / full; rb = n / bare; o = (1 - rf / rb) * 100
	printf "%-6s %9s %9s %10s\n", "relay", "messages", "seconds", "msg_per_s"
	printf "%-6s %9d %9.3f %10.1f\n", "full", n, full, rf
	printf "%-6s %9d %9.3f %10.1f\n", "bare", n, bare, rb
	printf "overhead (1 - full/bare msg/s): %.1f %%\n", o
	printf "target (overhead < 10 %%): %s\n", o < 10 ? "met" : "not met"
}'
