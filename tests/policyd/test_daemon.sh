#!/bin/bash
# tests/policyd/test_daemon.sh - chatmail-policyd as a process: config
# errors, bad input of every kind, limits, SIGHUP, SIGTERM, chatmailctl
# with and without the daemon, in-memory mode.
set -u
: "${top_srcdir:=.}"
. "$top_srcdir/tests/policyd/lib.sh"
work=$(mktemp -d /tmp/cm-daemon.XXXXXX)
trap 'pd_stop; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
pass=0; fail=0
check() {	# check NAME CONDITION...
	local name=$1; shift
	if "$@"; then echo "ok - $name"; pass=$((pass + 1));
	else echo "not ok - $name"; fail=$((fail + 1)); fi
}
has() { grep -q -- "$2" "$1"; }
rcpt() {	# rcpt SENDER RECIPIENT SIZE [INSTANCE] [STATE]
	printf 'request=smtpd_access_policy\nprotocol_state=%s\n' "${5:-RCPT}"
	printf 'instance=%s\nsender=%s\nrecipient=%s\n' "${4:-i1}" "$1" "$2"
	printf 'client_address=192.0.2.1\nclient_name=x.example\nsize=%s\n' "$3"
	printf 'recipient_count=1\nqueue_id=Q1\n\n'
}
ask() { "$SOCK_TOOL" -w 5 "$PD_DIR/policy.sock"; }

# --- configuration errors name the fix
pd_setup "$work/cfg" "no_such_key = 1"
"$POLICYD" -c "$PD_CONF" --foreground 2>"$work/cfg.err"
check "unknown key refused (exit 1)" test $? -eq 1
check "unknown key named" has "$work/cfg.err" "no_such_key: unknown key"
sed -i '/^local_domains/d;/no_such_key/d' "$PD_CONF"
"$POLICYD" -c "$PD_CONF" --foreground 2>"$work/cfg.err"
check "missing local_domains named" has "$work/cfg.err" "local_domains: not set"
"$POLICYD" -c "$work/nonexistent.conf" --foreground 2>"$work/cfg.err"
check "missing file named" has "$work/cfg.err" "nonexistent.conf"
pd_setup "$work/cfg"
"$POLICYD" -c "$PD_CONF" --check-config >"$work/check.out" 2>&1
check "--check-config exit 0" test $? -eq 0
check "--check-config shows values" has "$work/check.out" "mail_root = $work/cfg/mail"
check "--check-config shows the milter" has "$work/check.out" "milter_socket = unix:$work/cfg/milter.sock"
# the milter's keys: errors name the key
for bad in "milter_socket = inet:8891|milter_socket: .*loopback" \
	"milter_socket = inet:8891@192.0.2.1|milter_socket: .*only loopback" \
	"milter_socket = inet:0@127.0.0.1|milter_socket: .*bad port" \
	"milter_socket = $work/cfg/milter.sock|milter_socket: .*unix:/PATH" \
	"milter_socket = unix:relative.sock|milter_socket: .*absolute" \
	"milter_socket = tcp:1@127.0.0.1|milter_socket: .*unknown socket type" \
	"milter_timeout = 0|milter_timeout: .*out of range" \
	"milter_socket_mode = 999|milter_socket_mode: .*not a number" \
	"milter_outgoing_daemon_name = two words|milter_outgoing_daemon_name: .*one word"; do
	pd_setup "$work/cfg" "${bad%%|*}"
	"$POLICYD" -c "$PD_CONF" --check-config >/dev/null 2>"$work/cfg.err"
	rc=$?
	check "bad ${bad%%|*}: refused" test $rc -eq 1
	check "bad ${bad%%|*}: key named" grep -Eq -- "${bad#*|}" "$work/cfg.err"
done
pd_setup "$work/cfg" "milter_socket = inet:8891@127.0.0.1"
"$POLICYD" -c "$PD_CONF" --check-config >/dev/null 2>&1
check "milter_socket inet on loopback accepted" test $? -eq 0
pd_setup "$work/cfg"

# --- a running daemon
pd_setup "$work/d" "request_timeout = 1" "max_connections = 3"
pd_start || exit 1
"$POLICYD" -c "$PD_CONF" --foreground 2>"$work/second.err"
check "second instance refused" has "$work/second.err" "another process is listening"
check "bob hydrated at 1000 bytes" test "$(pd_ctl quota get bob@example.org | cut -f2)" = 1000
# the milter: its socket, 0660, answers a milter option negotiation
milter_optneg() {	# a SMFIC_OPTNEG packet (protocol 6); prints the reply's command byte
	printf '\0\0\0\015O\0\0\0\006\0\0\001\377\0\037\377\377' |
		"$SOCK_TOOL" -w 5 "$PD_DIR/milter.sock" | od -An -c -j4 -N1 | tr -d ' '
}
check "milter socket 0660" test "$(stat -c %a "$PD_DIR/milter.sock" 2>/dev/null)" = 660
check "milter answers option negotiation" test "$(milter_optneg)" = O
check "milter counters in stats" has <(pd_ctl stats) "gate_incoming_refused_encryption"

# binary junk, NUL bytes and an over-long line, then a good request
{ head -c 100000 /dev/urandom | tr -d '\n'; printf '\n\n'; rcpt a@remote.example bob@example.org 10; } | ask > "$work/junk.out"
check "junk answered with a tempfail" has "$work/junk.out" "action=DEFER_IF_PERMIT 4.3.5 Malformed policy request"
check "request after junk served" has "$work/junk.out" "action=DUNNO"

# a client that stalls mid-request is closed after request_timeout
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\n' | "$SOCK_TOOL" -n 1 -w 5 "$PD_DIR/policy.sock" > "$work/stall.out"
check "stalled client closed without a reply" test ! -s "$work/stall.out"
check "stall logged" has "$PD_DIR/daemon.log" "stalled in a request"

# a client that vanishes mid-request
printf 'request=smtpd_access_policy\nprotocol_state=RCPT\n' | "$SOCK_TOOL" -w 1 "$PD_DIR/policy.sock" >/dev/null
sleep 0.2
check "vanished client logged" has "$PD_DIR/daemon.log" "went away in the middle of a request"

# flood: max_connections = 3; the 4th is closed, the others still served
held=()
for i in 1 2 3; do
	mkfifo "$work/hold$i"
	"$SOCK_TOOL" -n 1 -w 8 "$PD_DIR/policy.sock" < "$work/hold$i" > "$work/held$i" &
	held+=($!)
	eval "exec $((6 + i))>\"\$work/hold\$i\""
done
sleep 0.5
rcpt a@remote.example bob@example.org 10 | ask > "$work/flood.out"
check "connection over the limit closed" test ! -s "$work/flood.out"
check "flood logged" has "$PD_DIR/daemon.log" "too many connections"
rcpt a@remote.example bob@example.org 10 >&7
rcpt a@remote.example bob@example.org 10 >&8
rcpt a@remote.example bob@example.org 10 >&9
exec 7>&- 8>&- 9>&-
wait "${held[@]}"
check "held connections still served" has "$work/held3" "action=DUNNO"
rcpt a@remote.example bob@example.org 10 | ask > "$work/after.out"
check "served again after the flood" has "$work/after.out" "action=DUNNO"

# control protocol: malformed lines, unknown commands, over-long lines
printf 'quota  get\nnosuch thing\n%s\nversion\n' "$(head -c 9000 /dev/zero | tr '\0' a)" | "$SOCK_TOOL" -w 5 "$PD_DIR/control.sock" > "$work/ctl.out"
check "control: malformed line" has "$work/ctl.out" "ERR syntax malformed"
check "control: unknown command" has "$work/ctl.out" "ERR syntax unknown command 'nosuch thing'"
check "control: over-long line" has "$work/ctl.out" "ERR syntax request line longer"
check "control: still usable" has "$work/ctl.out" "^OK 1$"
pd_ctl blocklist add ip 192.0.2.1/24 >/dev/null 2>"$work/cidr.err"
check "bad CIDR names the network" has "$work/cidr.err" "did you mean 192.0.2.0/24"

# SIGHUP: a setting changed behind the daemon's back, and the config
sqlite3 "$PD_DIR/chatmail.db" "INSERT INTO settings VALUES ('max_message_size', '5000', 0)"
rcpt a@remote.example bob@example.org 6000 | ask > "$work/hup1.out"
check "before SIGHUP the old limit applies" has "$work/hup1.out" "action=DUNNO"
sed -i 's/^local_domains = .*/local_domains = example.org, other.example/' "$PD_CONF"
kill -HUP "$PD_PID"; sleep 0.5
rcpt a@remote.example bob@example.org 6000 | ask > "$work/hup2.out"
check "after SIGHUP the new limit applies" has "$work/hup2.out" "action=552 5.3.4"
check "reload logged" has "$PD_DIR/daemon.log" "reload: SIGHUP"
check "daemon survived SIGHUP" kill -0 "$PD_PID"
check "milter still answers after SIGHUP" test "$(milter_optneg)" = O

# SIGTERM flushes counters. With the milter on, messages are counted
# when they pass the gate, not at END-OF-MESSAGE; federation rejections
# are counted at RCPT: two refused RCPTs from a listed domain.
{ rcpt a@remote.example bob@example.org 10 t1 END-OF-MESSAGE; rcpt a@remote.example bob@example.org 10 t2 END-OF-MESSAGE; } | ask >/dev/null
check "END-OF-MESSAGE leaves counting to the milter" test "$(pd_ctl stats | awk '$1 == "messages_received" { print $2 }')" = 0
pd_ctl federation add listed denied.example >/dev/null
{ rcpt x@denied.example bob@example.org 10 f1; rcpt y@denied.example bob@example.org 10 f2; } | ask > "$work/fed.out"
check "federation-denied RCPTs refused" test "$(grep -c '^action=550 5.7.1' "$work/fed.out")" = 2
pd_stop
check "SIGTERM exits 0" test $? -eq 0
check "counters flushed at SIGTERM" test "$(sqlite3 "$PD_DIR/chatmail.db" "SELECT rejections FROM federation_stats WHERE domain = 'denied.example' AND direction = 'in'")" = 2
check "sockets removed at exit" test ! -e "$PD_DIR/policy.sock"
check "milter socket removed at exit" test ! -e "$PD_DIR/milter.sock"

# chatmailctl with the daemon down: reads work, writes are refused
pd_ctl quota get bob@example.org > "$work/off.out" 2> "$work/off.err"
check "offline quota get works" has "$work/off.out" "bob@example.org	1000	"
check "offline says so" has "$work/off.err" "chatmail-policyd is not running"
pd_ctl blocklist add address x@y.example 2> "$work/offw.err"
check "offline write refused (exit 1)" test $? -eq 1
check "offline write names the daemon" has "$work/offw.err" "writes go through it"

# in-memory mode: writes land on disk at SIGTERM
pd_setup "$work/m" "sqlite_in_memory = yes" "sqlite_sync_interval = 3600"
pd_start || exit 1
pd_ctl quota set carol@example.org 777 >/dev/null
pd_stop
check "in-memory: final snapshot at SIGTERM" test "$(sqlite3 "$work/m/chatmail.db" "SELECT max_storage FROM quotas WHERE user = 'carol@example.org'")" = 777

# libmilter's own signal thread (the one in sigwait) takes a SIGHUP meant
# for the daemon: the daemon notices, drains, flushes and exits 1 so that
# systemd restarts it (Linux: the thread is found by its wchan)
pd_setup "$work/lost"
pd_start || exit 1
tid=
for _ in $(seq 1 50); do
	tid=$(grep -l sigtimedwait /proc/"$PD_PID"/task/*/wchan 2>/dev/null | head -n 1 | cut -d/ -f5)
	[ -n "$tid" ] && break
	sleep 0.1
done
if [ -n "$tid" ]; then
	kill -HUP "$tid"
	timeout 20 tail --pid="$PD_PID" -f /dev/null
	pd_stop
	check "milter lost: exit status 1" test $? -eq 1
	check "milter lost: logged" has "$PD_DIR/daemon.log" "libmilter stopped on its own"
	check "milter lost: drained as for SIGTERM" has "$PD_DIR/daemon.log" "stopped"
else
	echo "ok - milter lost: # SKIP no /proc wchan to find libmilter's signal thread"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
