#!/bin/sh
# tests/bench_smoke.sh - the benchmarks run and print their ratio line.
# A tiny size: this checks that they work, never how fast anything is.
set -eu
out=$(./bench/hydrate --users 40 --messages 10 --rounds 1)
echo "$out"
echo "$out" | grep -q '^ratio: hydrate is [0-9.]*x faster than du -sb$'
