#!/bin/bash
# bench/relay.sh - messages/s through the whole relay, with and without chatmail
#
# NAME
#	relay.sh - the work of bench/relay
# SYNOPSIS
#	bench/relay.sh --builddir DIR [--quick] [--messages N] [--sessions N]
#		[--users N] [--rounds N] [--floor] [--keep]
# DESCRIPTION
#	Starts the README's relay (scripts/relay.sh --builddir DIR) in a
#	throwaway directory under /var/tmp on free loopback ports, makes one
#	real PGP/MIME message with GnuPG (a throwaway key), and pushes it N
#	times (default 2000; --quick 100) with smtp-source at --sessions
#	(default 8) parallel sessions into the inbound (port-25 style)
#	port, from a remote sender to --users local users (default: as
#	many as sessions; one smtp-source per user with its share of the
#	sessions and messages). A run is timed from the start of
#	smtp-source until all N messages are files in those users'
#	Maildirs (Postfix queue, LMTP and Dovecot included).
#
#	Several users are what a relay sees. With --users 1 all sessions
#	deliver into one mailbox at once: Dovecot's deliveries then take
#	turns on its dovecot-uidlist lock (the chatmail plugin makes each
#	delivery assign its UID for the new-mail event, which Maildir
#	otherwise skips when the lock is taken), which shows as a larger
#	overhead: the worst case of a burst to one user.
#
#	Runs in two modes on the same Postfix and Dovecot instances:
#	  full  the relay as scripts/relay.sh configures it: the policy
#	        service at RCPT and END-OF-DATA, the milter (the encryption
#	        gate), and mail_plugins = quota chatmail in Dovecot with the
#	        chatmail quota backend; every full run is checked against
#	        the daemon's counters (each message passed the gate and the
#	        policy service twice, each delivery sent a quota change);
#	  bare  the same instances after postconf -e (no check_policy_service,
#	        no smtpd_milters) + postfix reload, mail_plugins emptied and
#	        the chatmail quota lines removed + doveadm reload, and
#	        chatmail-policyd frozen with SIGSTOP (it uses no CPU and
#	        answers nothing); its counters must not have moved when it
#	        is thawed (SIGCONT) for the next full run, so nothing used
#	        it meanwhile.
#	--floor adds a third mode to every round:
#	  floor the bare relay with one milter: bench/milter_noop, which
#	        negotiates the encryption gate's protocol steps and does
#	        nothing (chatmail-policyd stays frozen). Its overhead is
#	        the least that any milter on Debian's libmilter costs this
#	        relay with those steps, before any checking, policy
#	        service or plugin: the floor under the full relay's.
#	--rounds N (default 3; --quick 1) rounds each run the modes, in
#	alternating order (full first in odd rounds, bare first in even
#	ones; floor after bare), so that neither mode always runs first
#	or on a warmer system. Every run delivers to a fresh user's
#	Maildir and follows an unmeasured warm-up in the same mode (N/10
#	messages, at least 40, to another user): after a reload Postfix
#	and Dovecot start new processes, and the first hundred messages or
#	so run slower.
#
#	Each run also counts the CPU time the relay's processes used (the
#	trees of Postfix's and Dovecot's masters, with the children they
#	reaped, and chatmail-policyd), per message: unlike messages/s, it
#	hardly depends on what else the machine runs meanwhile.
#
#	Output: a header, one line per run (with its CPU per message), then
#	a table of the medians of each mode (seconds, and messages/s from
#	them), the overhead (1 - full/bare messages/s of the medians, in %)
#	with the per-round overheads, the median CPU per message of each
#	mode, with --floor the floor's overhead and its milter's CPU per
#	message, and whether the target (overhead < 10 %) is met. The
#	machine is shared: trust the medians and the spread, not one run.
# DIAGNOSTICS
#	Exit 0 when every message arrived in every run, whatever the rates;
#	1 when something broke (the relay did not start, smtp-source got a
#	reply it did not expect, not all messages arrived in time, a check
#	of the daemon's counters failed) with the ends of the logs on
#	stderr; 77 when not root or a tool is missing. --keep keeps the
#	directory (the relay is stopped anyway).
# SEE ALSO
#	bench/relay.c, bench/milter_noop.c, scripts/relay.sh, smtp-source(1)
set -u
export LC_ALL=C
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/port.sh"

N=2000
SESSIONS=8
USERS=
ROUNDS=
BUILD=
KEEP=0
FLOOR=0
NOOP=
WARM=
W=
R=
PID=
MODE=full
STATS_FULL=
RUNS=

relay_bench_usage() {
	echo "usage: bench/relay.sh --builddir DIR [--quick] [--messages N]" \
	     "[--sessions N] [--users N] [--rounds N] [--floor] [--keep]" >&2
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
	[ -z "$PID" ] || kill -CONT "$PID" 2>/dev/null
	[ -z "$NOOP" ] || kill "$NOOP" 2>/dev/null
	[ -z "$R" ] || "$top/scripts/relay.sh" stop --dir "$R" >/dev/null 2>&1
	[ -z "${GNUPGHOME:-}" ] || gpgconf --kill all >/dev/null 2>&1
	if [ "$KEEP" = 1 ]; then
		echo "bench/relay: kept $W" >&2
	else
		rm -rf -- "$W"
	fi
}

# relay_bench_rcpts NAME - the recipients' users of a run named NAME:
#	NAME itself (--users 1), else NAMEr1 ... NAMEr<USERS>
relay_bench_rcpts() {
	local k
	if [ "$USERS" = 1 ]; then echo "$1"; return; fi
	for ((k = 1; k <= USERS; k++)); do echo "$1r$k"; done
}

# relay_bench_count NAME - messages in the Maildirs (new/ and cur/) of
#	the recipients of NAME
relay_bench_count() {
	local u n=0
	local -a f
	shopt -s nullglob
	for u in $(relay_bench_rcpts "$1"); do
		f=("$R/mail/example.org/$u/Maildir"/new/*
		   "$R/mail/example.org/$u/Maildir"/cur/*)
		n=$((n + ${#f[@]}))
	done
	shopt -u nullglob
	echo "$n"
}

# relay_bench_send NAME COUNT - smtp-source: COUNT messages over SESSIONS
#	sessions, spread evenly over the recipients of NAME (one
#	smtp-source per recipient, each with its share of the sessions)
relay_bench_send() {
	local name=$1 count=$2 k=0 u m s pids=() rc=0 p
	for u in $(relay_bench_rcpts "$name"); do
		m=$((count / USERS + (k < count % USERS ? 1 : 0)))
		s=$((SESSIONS / USERS + (k < SESSIONS % USERS ? 1 : 0)))
		smtp-source -4 -s "$s" -m "$m" -M client.remote.example \
			-f friend@remote.example -t "$u@example.org" \
			-F "$W/msg.eml" "127.0.0.1:$SMTP" \
			>"$W/smtp-source.$k.out" 2>&1 &
		pids+=($!)
		k=$((k + 1))
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[ "$rc" = 0 ] || relay_bench_fail "smtp-source to $name failed:" \
		"$(tail -q -n 3 "$W"/smtp-source.*.out | head -n 6)"
}

# relay_bench_cpu - CPU time so far of the relay's three process trees
#	(Postfix's master, Dovecot's master, and chatmail-policyd, or in
#	floor mode bench/milter_noop; each with its live descendants and
#	the children it has reaped), in clock ticks: "postfix dovecot
#	milter"
relay_bench_cpu() {
	local pf dv pd=$PID
	pf=$(tr -d ' ' <"$R/postfix/spool/pid/master.pid" 2>/dev/null)
	dv=$(cat "$R/dovecot/run/master.pid" 2>/dev/null)
	[ "$MODE" != floor ] || pd=$NOOP
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pf="${pf:-0}" \
		-v dv="${dv:-0}" -v pd="${pd:-0}" '
	{
		pid = $1
		sub(/^.*\) /, "")	# pid and (comm), which may hold blanks
		ppid[pid] = $2
		t[pid] = $12 + $13 + $14 + $15
	}
	END {
		root[pf] = 1; root[dv] = 2; root[pd] = 3
		for (p in t) {
			q = p
			for (n = 0; n < 64 && !(q in root) && (q in ppid); n++)
				q = ppid[q]
			if (q in root)
				sum[root[q]] += t[p]
		}
		print sum[1] + 0, sum[2] + 0, sum[3] + 0
	}'
}

# relay_bench_pause LEFT - seconds to wait before counting again
relay_bench_pause() {
	local ms=$(($1 < 5 ? 5 : $1))
	printf '%d.%03d\n' $((ms / 1000)) $((ms % 1000))
}

# relay_bench_run NAME COUNT - send COUNT messages to NAME's recipients,
#	wait until they are all in their Maildirs (on top of what was
#	there); prints the seconds it took
relay_bench_run() {
	local user=$1 count=$2 t0 t1 have want limit
	have=$(relay_bench_count "$user")
	want=$((have + count))
	t0=$EPOCHREALTIME
	relay_bench_send "$user" "$count"
	limit=$(awk -v t="$t0" -v n="$count" 'BEGIN { printf "%d", t + 60 + n / 10 }')
	while :; do
		have=$(relay_bench_count "$user")
		[ "$have" -ge "$want" ] && break
		[ "${EPOCHREALTIME%.*}" -lt "$limit" ] ||
			relay_bench_fail "only $have of $want messages reached $user"
		# Counting a big Maildir costs CPU the relay could use: wait
		# as long as the rest needs at 1000 messages/s at the very
		# least (faster than the relay goes), then 5 ms at a time.
		read -r -t "$(relay_bench_pause $((want - have)))" -u "$TICK" _
	done
	t1=$EPOCHREALTIME
	[ "$have" = "$want" ] ||
		relay_bench_fail "$user got $have messages for $want sent"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# relay_bench_stats - the daemon's counters that any use of it moves,
#	as "gate policy deltas dovecot" (sums of the gate counters, policy
#	requests, quota changes, all dovecot requests)
relay_bench_stats() {
	"$BUILD/postfix-policy/chatmailctl" -c "$R/policyd/chatmail.conf" \
		stats 2>/dev/null | awk '
		$1 ~ /^gate_/ { g += $2 }
		$1 == "policy_requests" { p = $2 }
		$1 == "dovecot_quota_deltas" { q = $2 }
		$1 == "dovecot_requests" { d = $2; seen = 1 }
		END { if (seen) print g + 0, p + 0, q + 0, d + 0 }'
}

# relay_bench_check_full BEFORE COUNT - COUNT more messages went through
#	the gate, the policy service (RCPT and END-OF-DATA) and the quota
#	backend since BEFORE (waits a little: the last quota changes are
#	sent without waiting for the daemon)
relay_bench_check_full() {
	local before=$1 count=$2 now n=50
	while ((n-- > 0)); do
		now=$(relay_bench_stats)
		awk -v a="$before" -v b="$now" -v c="$count" 'BEGIN {
			split(a, x, " "); split(b, y, " ")
			exit !(y[1] - x[1] >= c && y[2] - x[2] >= 2 * c &&
			       y[3] - x[3] >= c) }' && return 0
		sleep 0.1
	done
	relay_bench_fail "full run: counters '$before' -> '$now' do not show" \
		"$count more messages through the gate, the policy service" \
		"twice and the quota backend"
}

# relay_bench_bare [MILTER] - the same Postfix and Dovecot without
#	chatmail (with MILTER as the only milter, if given), the daemon
#	frozen
relay_bench_bare() {
	local pf=$R/postfix/etc dc=$R/dovecot/dovecot.conf milter=${1:-}
	if [ "$MODE" = full ]; then
		STATS_FULL=$(relay_bench_stats)
		[ -n "$STATS_FULL" ] || return 1
	fi
	cp "$W/main.cf" "$pf/main.cf" && cp "$W/dovecot.conf" "$dc" ||
		return 1
	postconf -c "$pf" -e \
		"smtpd_recipient_restrictions = reject_unauth_destination" \
		"smtpd_end_of_data_restrictions =" "smtpd_milters = $milter" \
		"non_smtpd_milters = $milter" || return 1
	postfix -c "$pf" reload >/dev/null 2>&1 || return 1
	sed -i -e 's/^mail_plugins = .*/mail_plugins =/' \
		-e '/^  quota = chatmail:/d' -e '/^  chatmail_socket = /d' "$dc"
	doveadm -c "$dc" reload || return 1
	[ -z "$(doveconf -c "$dc" -h mail_plugins)" ] &&
		[ "$(postconf -c "$pf" -h smtpd_milters)" = "$milter" ] ||
		return 1
	sleep 1	# let the reloads take hold
	[ "$MODE" != full ] || kill -STOP "$PID" || return 1
	MODE=bare
}

# relay_bench_floor - the bare relay with bench/milter_noop as its milter
relay_bench_floor() {
	relay_bench_bare "unix:$W/noop.sock" || return 1
	MODE=floor
}

# relay_bench_noop_start - bench/milter_noop on $W/noop.sock; sets NOOP
relay_bench_noop_start() {
	local n=0
	"$BUILD/bench/milter_noop" "unix:$W/noop.sock" \
		>>"$W/milter_noop.log" 2>&1 </dev/null &
	NOOP=$!
	while [ ! -S "$W/noop.sock" ]; do
		kill -0 "$NOOP" 2>/dev/null && ((n++ < 100)) || return 1
		sleep 0.05
	done
}

# relay_bench_full - the relay as scripts/relay.sh made it
relay_bench_full() {
	local pf=$R/postfix/etc dc=$R/dovecot/dovecot.conf now
	kill -CONT "$PID" || return 1
	sleep 0.2
	now=$(relay_bench_stats)
	[ "$now" = "$STATS_FULL" ] || relay_bench_fail "the daemon's counters" \
		"moved while it was frozen ('$STATS_FULL' -> '$now'):" \
		"something used it in a bare run"
	cp "$W/main.cf" "$pf/main.cf" && cp "$W/dovecot.conf" "$dc" ||
		return 1
	postfix -c "$pf" reload >/dev/null 2>&1 || return 1
	doveadm -c "$dc" reload || return 1
	[ -n "$(doveconf -c "$dc" -h mail_plugins)" ] &&
		[ -n "$(postconf -c "$pf" -h smtpd_milters)" ] || return 1
	sleep 1	# let the reloads take hold
	MODE=full
}

# relay_bench_mode ROUND MODE - warm-up and one measured run in MODE;
#	appends "ROUND MODE SECONDS CPU-BEFORE CPU-AFTER" to RUNS
relay_bench_mode() {
	local round=$1 mode=$2 before secs cpu0 cpu1
	if [ "$mode" != "$MODE" ]; then
		relay_bench_$mode ||
			relay_bench_fail "could not switch to the $mode relay"
	fi
	relay_bench_run "warm$mode" "$WARM" >/dev/null || exit 1
	[ "$mode" != full ] || before=$(relay_bench_stats)
	cpu0=$(relay_bench_cpu)
	secs=$(relay_bench_run "$mode$round" "$N") || exit 1
	cpu1=$(relay_bench_cpu)
	[ "$mode" != full ] || relay_bench_check_full "$before" "$N"
	RUNS="$RUNS$round $mode $secs $cpu0 $cpu1"$'\n'
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

# relay_bench_report RUNS - the per-run lines, the medians, the overhead
relay_bench_report() {
	local size
	size=$(wc -c <"$W/msg.eml")
	echo "bench/relay: $N PGP/MIME messages ($size bytes) with smtp-source, $SESSIONS sessions, to $USERS users, into the inbound port, until all are in the Maildirs"
	echo "full = policy service + milter + Dovecot chatmail plugin; bare = the same Postfix and Dovecot without them"
	[ "$FLOOR" = 0 ] || echo "floor = bare + bench/milter_noop (libmilter, the gate's protocol steps, no checks); its CPU is in the milter column"
	echo "$1" | awk -v n="$N" -v rounds="$ROUNDS" -v hz="$(getconf CLK_TCK)" '
	function median(a, k,    i, j, t) {
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function ms(ticks) { return ticks * 1000 / hz / n }
	NF == 9 {
		pf = ms($7 - $4); dv = ms($8 - $5); pd = ms($9 - $6)
		printf "round %d %s: %d messages in %.3f s = %.1f msg/s; CPU %.2f ms/msg (Postfix %.2f, Dovecot %.2f, %s %.2f)\n",
			$1, $2, n, $3, n / $3, pf + dv + pd, pf, dv,
			($2 == "floor" ? "milter_noop" : "chatmail-policyd"), pd
		if ($2 == "full") { f[++nf] = $3; fc[nf] = pf + dv + pd }
		else if ($2 == "floor") { l[++nl] = $3; lc[nl] = pf + dv + pd; lm[nl] = pd }
		else { b[++nb] = $3; bc[nb] = pf + dv + pd }
		per[$1, $2] = $3
	}
	END {
		printf "rounds: %d, alternating; the table has the medians\n", rounds
		for (r = 1; r <= rounds; r++)
			po = po sprintf(" %.1f", (1 - per[r, "bare"] / per[r, "full"]) * 100)
		mf = median(f, nf); mb = median(b, nb)
		cf = median(fc, nf); cb = median(bc, nb)
		rf = n / mf; rb = n / mb; o = (1 - rf / rb) * 100
		printf "%-6s %9s %9s %10s\n", "relay", "messages", "seconds", "msg_per_s"
		printf "%-6s %9d %9.3f %10.1f\n", "full", n, mf, rf
		printf "%-6s %9d %9.3f %10.1f\n", "bare", n, mb, rb
		printf "overhead (1 - full/bare msg/s): %.1f %%\n", o
		printf "overhead per round (%%):%s\n", po
		printf "CPU per message (medians): full %.2f ms, bare %.2f ms (%+.1f %%)\n",
			cf, cb, (cb > 0 ? (cf / cb - 1) * 100 : 0)
		if (nl > 0) {
			ml = median(l, nl); cl = median(lc, nl); cm = median(lm, nl)
			for (r = 1; r <= rounds; r++)
				pl = pl sprintf(" %.1f", (1 - per[r, "bare"] / per[r, "floor"]) * 100)
			printf "floor: %.3f s = %.1f msg/s, overhead %.1f %% (per round:%s); CPU %.2f ms/msg (%+.1f %%), of which milter_noop %.2f ms\n",
				ml, n / ml, (1 - (n / ml) / rb) * 100, pl, cl,
				(cb > 0 ? (cl / cb - 1) * 100 : 0), cm
		}
		printf "target (overhead < 10 %%): %s\n", (o < 10 ? "met" : "not met")
	}'
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) N=100; ROUNDS=${ROUNDS:-1} ;;
	--messages) [ $# -ge 2 ] || relay_bench_usage; N=$2; shift ;;
	--sessions) [ $# -ge 2 ] || relay_bench_usage; SESSIONS=$2; shift ;;
	--users) [ $# -ge 2 ] || relay_bench_usage; USERS=$2; shift ;;
	--rounds) [ $# -ge 2 ] || relay_bench_usage; ROUNDS=$2; shift ;;
	--floor) FLOOR=1 ;;
	--builddir) [ $# -ge 2 ] || relay_bench_usage; BUILD=$2; shift ;;
	--keep) KEEP=1 ;;
	*) relay_bench_usage ;;
	esac
	shift
done
ROUNDS=${ROUNDS:-3}
USERS=${USERS:-$SESSIONS}
WARM=$((N / 10 > 40 ? N / 10 : 40))
[[ "$N" =~ ^[1-9][0-9]*$ && "$SESSIONS" =~ ^[1-9][0-9]*$ &&
   "$ROUNDS" =~ ^[1-9][0-9]?$ && "$USERS" =~ ^[1-9][0-9]*$ ]] &&
	((USERS <= SESSIONS && USERS <= N)) || relay_bench_usage
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
SMTP=$(port_draw "$W/.ports") && SUB=$(port_draw "$W/.ports") &&
	IMAP=$(port_draw "$W/.ports") || relay_bench_fail "no free ports"
R=$W/relay
names="warmfull warmbare"
[ "$FLOOR" = 0 ] || names="$names warmfloor"
for ((r = 1; r <= ROUNDS; r++)); do
	names="$names full$r bare$r"
	[ "$FLOOR" = 0 ] || names="$names floor$r"
done
users=$(for n in $names; do relay_bench_rcpts "$n"; done | tr '\n' ' ')
RELAY_SMTP_PORT=$SMTP RELAY_SUBMISSION_PORT=$SUB RELAY_IMAP_PORT=$IMAP \
	"$top/scripts/relay.sh" start --dir "$R" --builddir "$BUILD" \
	--users "$users" >"$W/relay.out" 2>&1 ||
	relay_bench_fail "the relay did not start: $(tail -n 5 "$W/relay.out")"
PID=$(cat "$R/policyd/chatmail-policyd.pid" 2>/dev/null)
[ -n "$PID" ] && kill -0 "$PID" 2>/dev/null ||
	relay_bench_fail "no chatmail-policyd process"
cp "$R/postfix/etc/main.cf" "$W/main.cf" &&
	cp "$R/dovecot/dovecot.conf" "$W/dovecot.conf" ||
	relay_bench_fail "could not keep the relay's configuration"

if [ "$FLOOR" = 1 ]; then
	[ -x "$BUILD/bench/milter_noop" ] ||
		relay_bench_fail "--floor: no $BUILD/bench/milter_noop (make)"
	relay_bench_noop_start ||
		relay_bench_fail "bench/milter_noop did not start:" \
			"$(tail -n 3 "$W/milter_noop.log")"
fi

RUNS=
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then order="full bare"; else order="bare full"; fi
	[ "$FLOOR" = 0 ] || order=${order/bare/bare floor}
	for mode in $order; do
		relay_bench_mode "$r" "$mode"
	done
done
relay_bench_report "$RUNS"
