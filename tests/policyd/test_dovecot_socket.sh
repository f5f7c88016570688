#!/bin/bash
# tests/policyd/test_dovecot_socket.sh - the dovecot socket of a real
# chatmail-policyd, as a transcript (doc/dovecot-protocol.md)
#
# One connection sends every kind of request, good and bad, pipelined in
# one write (a QUOTA-RECALC among them, whose walk runs on a thread while
# the lines after it wait); the replies must equal the expected
# transcript byte for byte. Then: the counters the requests moved, a
# second connection with another major version is refused and closed,
# and the socket file goes away with the daemon.
set -u
: "${top_srcdir:=.}"
. "$top_srcdir/tests/policyd/lib.sh"
work=$(mktemp -d /tmp/cm-dovecot.XXXXXX)
trap 'pd_stop; rm -rf "$work"' EXIT
pass=0; fail=0

# check NAME COMMAND... - one TAP line
check() {
	local name=$1
	shift
	if "$@"; then echo "ok - $name"; pass=$((pass + 1))
	else echo "not ok - $name"; fail=$((fail + 1)); fi
}

# stat NAME - one value of chatmailctl stats
stat() { pd_ctl stats | awk -v n="$1" '$1 == n { print $2 }'; }

# talk - send stdin, keep the connection open a moment, print replies
talk() {
	{ cat; sleep 1; } | "$SOCK_TOOL" -w 10 "$PD_DIR/dovecot.sock"
}

pd_setup "$work/d" "milter_socket ="
pd_start || exit 1
check "dovecot socket created" test -S "$PD_DIR/dovecot.sock"

T=$'\t'
long=$(head -c 9000 /dev/zero | tr '\0' x)
cat >"$work/in" <<EOF
QUOTA-GET${T}bob@example.org
VERSION${T}1${T}0
QUOTA-GET${T}Bob@Example.ORG
QUOTA-GET${T}nobody@example.org
QUOTA-ADD${T}bob@example.org${T}500${T}1
QUOTA-ADD${T}bob@example.org${T}-2000${T}-1
QUOTA-RECALC${T}bob@example.org
QUOTA-GET${T}bob@example.org
QUOTA-LIST${T}${T}1
QUOTA-LIST${T}bob@example.org${T}10
QUOTA-LIST${T}carol@example.org${T}10
QUOTA-LIST${T}${T}0
QUOTA-LIST${T}${T}10001
EVENT${T}bob@example.org${T}INBOX${T}1${T}100${T}deliver
EVENT${T}bob@example.org${T}Sent%09x${T}0${T}100${T}append
EVENT${T}bob@example.org${T}INBOX${T}1${T}100${T}push
FROB
QUOTA-GET
QUOTA-GET${T}a%zz
${long}
QUOTA-GET${T}carol@example.org
HYDRATE
EOF
cat >"$work/ref" <<EOF
FAIL${T}version${T}send VERSION first
VERSION${T}1${T}0
OK${T}1000${T}1073741824
OK${T}0${T}1073741824
OK${T}1500${T}1073741824
OK${T}0${T}1073741824
OK${T}1000${T}1073741824
OK${T}1000${T}1073741824
*${T}bob@example.org${T}1000${T}1073741824
OK${T}1
*${T}carol@example.org${T}250${T}1073741824
OK${T}1
OK${T}0
FAIL${T}syntax${T}bad limit
FAIL${T}invalid${T}limit must be 1..10000
OK
OK
FAIL${T}syntax${T}bad event kind
FAIL${T}syntax${T}unknown command
FAIL${T}syntax${T}wrong number of fields
FAIL${T}syntax${T}malformed line
FAIL${T}syntax${T}line longer than 8192 bytes
OK${T}250${T}1073741824
OK
EOF
talk <"$work/in" >"$work/out"
check "transcript" diff -u "$work/ref" "$work/out"
check "deliveries counted" test "$(stat dovecot_deliveries)" = 1
check "appends counted" test "$(stat dovecot_appends)" = 1
check "deltas counted" test "$(stat dovecot_quota_deltas)" = 2
check "recalcs counted" test "$(stat dovecot_quota_recalcs)" = 1
check "events are not received messages" \
	test "$(stat messages_received)" = 0
check "over-long line logged" grep -q 'dovecot: .* sent an over-long line' \
	"$PD_DIR/daemon.log"

printf 'VERSION\t2\t0\nQUOTA-GET\tbob@example.org\n' | talk >"$work/v2"
check "another major version refused, nothing more answered" \
	test "$(cat "$work/v2")" = "FAIL${T}version${T}protocol major version 2 is not 1"
check "refusal logged" grep -q 'protocol major version 2 is not 1; closing' \
	"$PD_DIR/daemon.log"

pd_stop
check "SIGTERM exits 0" test $? -eq 0
check "socket removed at exit" test ! -e "$PD_DIR/dovecot.sock"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
