#!/bin/sh
# tests/bench_relay_smoke.sh - bench/relay --quick --floor pushes 100
# PGP/MIME messages through the whole relay three times (one round: with
# chatmail, without, and without but with bench/milter_noop as the
# milter), every one of them reaches the Maildir (bench/relay exits 1
# otherwise, also when the daemon's counters show that a full run skipped
# the gate, the policy service or the quota backend, or that something
# used the frozen daemon in a bare run), and the output has its shape. This checks that it works, never how fast
# anything is. Root only (Postfix and Dovecot must start as root):
# skipped (77) elsewhere, and when smtp-source is missing.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to start Postfix and Dovecot"
	exit 77
fi
out=$(./bench/relay --quick --floor)
rc=$?
echo "$out"
[ "$rc" = 0 ] || { echo "FAIL: bench/relay --quick --floor exited $rc"; exit "$rc"; }
fail() { echo "FAIL: $*"; exit 1; }
echo "$out" | grep -q '^bench/relay: 100 PGP/MIME messages ([0-9]* bytes) with smtp-source, 8 sessions, to 8 users, into the inbound port, until all are in the Maildirs$' ||
	fail "no header line"
echo "$out" | grep -q '^relay  *messages  *seconds  *msg_per_s$' ||
	fail "no column line"
for name in full bare; do
	echo "$out" | grep -q "^$name  *100  *[0-9][0-9]*\.[0-9][0-9][0-9]  *[0-9][0-9]*\.[0-9]\$" ||
		fail "no row for $name with 100 messages"
	echo "$out" | grep -q "^round 1 $name: 100 messages in [0-9.]* s = [0-9.]* msg/s; CPU [0-9.]* ms/msg (Postfix [0-9.]*, Dovecot [0-9.]*, chatmail-policyd [0-9.]*)\$" ||
		fail "no run line for $name"
done
echo "$out" | grep -q '^round 1 bare: .*chatmail-policyd 0\.00)$' ||
	fail "the frozen daemon used CPU in the bare run"
echo "$out" | grep -q "^round 1 floor: 100 messages in [0-9.]* s = [0-9.]* msg/s; CPU [0-9.]* ms/msg (Postfix [0-9.]*, Dovecot [0-9.]*, milter_noop [0-9.]*)\$" ||
	fail "no run line for floor"
echo "$out" | grep -q '^round 1 floor: .*milter_noop 0\.00)$' &&
	fail "the floor run's milter (bench/milter_noop) used no CPU: not in use?"
echo "$out" | grep -q '^floor: [0-9.]* s = [0-9.]* msg/s, overhead -\{0,1\}[0-9][0-9]*\.[0-9] % (per round: -\{0,1\}[0-9.]*); CPU [0-9.]* ms/msg ([-+][0-9.]* %), of which milter_noop [0-9.]* ms$' ||
	fail "no floor line"
echo "$out" | grep -q '^rounds: 1, alternating; the table has the medians$' ||
	fail "no rounds line"
echo "$out" | grep -q '^CPU per message (medians): full [0-9.]* ms, bare [0-9.]* ms ([-+][0-9.]* %)$' ||
	fail "no CPU line"
echo "$out" | grep -q '^overhead (1 - full/bare msg/s): -\{0,1\}[0-9][0-9]*\.[0-9] %$' ||
	fail "no overhead line"
echo "$out" | grep -q '^target (overhead < 10 %): \(met\|not met\)$' ||
	fail "no target line"
