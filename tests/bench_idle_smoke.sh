#!/bin/sh
# tests/bench_idle_smoke.sh - bench/idle runs two real Dovecots (stock and
# with lib95_chatmail_plugin.so), every delivery reaches the IDLE client
# as "* N EXISTS", and the table has its shape. --quick: 2 samples each.
# This checks that it works, never how fast anything is. Root only
# (Dovecot must start as root): skipped (77) elsewhere.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root to start Dovecot"
	exit 77
fi
if [ ! -f ./dovecot-plugin/.libs/lib95_chatmail_plugin.so ]; then
	echo "FAIL: ./dovecot-plugin/.libs/lib95_chatmail_plugin.so not built"
	exit 1
fi
out=$(./bench/idle --quick)
echo "$out"
row='[0-9][0-9]*\.[0-9][0-9]'
for name in stock chatmail; do
	# "2" samples: each one saw its EXISTS (bench/idle exits 1 otherwise)
	echo "$out" | grep -q "^$name *2\( *$row\)\{4\} *[0-2] *$row\$" ||
		{ echo "FAIL: no row for $name with 2 samples"; exit 1; }
done
echo "$out" | grep -q '^bench/idle: delivery-to-IDLE latency, LMTP end-of-data "250" -> "\* N EXISTS" in IDLE$'
echo "$out" | grep -q '^instance  *samples  *median_ms  *p90_ms  *min_ms  *max_ms  *early  *eod_median_ms$'
echo "$out" | grep -q '^ratio (stock/chatmail median): \(> \)\?[0-9.]* x$'
echo "$out" | grep -q '^target (chatmail median < 50 ms, >= 10 x stock): \(met\|not met\)$'
