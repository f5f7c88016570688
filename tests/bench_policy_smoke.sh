#!/bin/sh
# tests/bench_policy_smoke.sh - bench/policy runs and prints its ratio lines.
# --quick: 1 s per row, 200 users; this checks that it works, never how
# fast anything is. Skipped (77) until chatmail-policyd is built.
set -eu
if [ ! -x ./postfix-policy/chatmail-policyd ]; then
	echo "SKIP: ./postfix-policy/chatmail-policyd not built"
	exit 77
fi
out=$(./bench/policy --quick)
echo "$out"
echo "$out" | grep -q '^echo (process) *1 *[0-9]'
echo "$out" | grep -q '^echo (in-process) *8 *[0-9]'
echo "$out" | grep -q '^ratio (1 conn): chatmail-policyd = [0-9.]* x echo$'
echo "$out" | grep -q '^ratio (8 conn): chatmail-policyd = [0-9.]* x echo$'
echo "$out" | grep -q '^target (8 conn >= 0.50 x echo, p99 < 1000 us): \(met\|not met\)$'
