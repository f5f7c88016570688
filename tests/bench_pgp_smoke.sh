#!/bin/sh
# tests/bench_pgp_smoke.sh - bench/pgp runs, prints its table, and --train passes.
# --quick: small sizes, one short round (with the vector kernels and
# --portable without); this checks the output format,
# never how fast anything is.
set -eu
out=$(./bench/pgp --quick)
echo "$out"
echo "$out" | grep -q '^size  *checker MB/s  *baseline MB/s  *ratio  *peak RSS$'
for size in '1 KB' '64 KB' '1 MB'; do
	echo "$out" | grep -q "^$size  *[0-9][0-9.]*  *[0-9][0-9.]*  *[0-9][0-9.]*  *[0-9][0-9]* KB\$"
done
echo "$out" | grep -q '^target (ratio >= 0.50, RSS independent of size): \(met\|not met\)$'
echo "$out" | grep -q '^vector kernels: .'
# --portable: the same table, the checker without the vector kernels
out=$(./bench/pgp --quick --portable --sizes 1024,65536)
echo "$out"
echo "$out" | grep -q '^1 KB  *[0-9][0-9.]*  *[0-9][0-9.]*  *[0-9][0-9.]*  *[0-9][0-9]* KB$'
echo "$out" | grep -q '^vector kernels: none (portable code)$'
# --train: the profile-guided build's workload runs and every verdict in
# it is right (it exits 1 otherwise)
./bench/pgp --train
