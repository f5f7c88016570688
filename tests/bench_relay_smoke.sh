#!/bin/sh
# tests/bench_relay_smoke.sh - bench/relay --quick pushes 100 PGP/MIME
# messages through the whole relay twice (with chatmail and without),
# every one of them reaches the Maildir (bench/relay exits 1 otherwise),
# and the table has its shape. This checks that it works, never how fast
# anything is. Root only (Postfix and Dovecot must start as root):
# skipped (77) elsewhere, and when smtp-source is missing.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to start Postfix and Dovecot"
	exit 77
fi
out=$(./bench/relay --quick)
rc=$?
echo "$out"
[ "$rc" = 0 ] || { echo "FAIL: bench/relay --quick exited $rc"; exit "$rc"; }
fail() { echo "FAIL: $*"; exit 1; }
echo "$out" | grep -q '^bench/relay: 100 PGP/MIME messages ([0-9]* bytes) with smtp-source -s 8 into the inbound port, until all are in the Maildir$' ||
	fail "no header line"
echo "$out" | grep -q '^relay  *messages  *seconds  *msg_per_s$' ||
	fail "no column line"
for name in full bare; do
	echo "$out" | grep -q "^$name  *100  *[0-9][0-9]*\.[0-9][0-9][0-9]  *[0-9][0-9]*\.[0-9]\$" ||
		fail "no row for $name with 100 messages"
done
echo "$out" | grep -q '^overhead (1 - full/bare msg/s): -\{0,1\}[0-9][0-9]*\.[0-9] %$' ||
	fail "no overhead line"
echo "$out" | grep -q '^target (overhead < 10 %): \(met\|not met\)$' ||
	fail "no target line"
