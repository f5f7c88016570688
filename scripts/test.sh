#!/usr/bin/env bash
# scripts/test.sh - run every test of chatmail-plugins.
#
# On Debian 12 as root it first installs the build dependencies it lacks
# (apt-get, idempotent), then builds out of tree in _build/test with
# ASan+UBSan and -Werror, runs "make check" (cmocka unit tests, benchmark
# smoke runs), runs each libFuzzer target for FUZZ_SECONDS (default 20)
# and "make distcheck". The last line is the summary.
#
# Environment: FUZZ_SECONDS=N, CM_SKIP_DISTCHECK=1, CM_SKIP_FUZZ=1.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. scripts/deps.sh
cm_deps_install build || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
build=$top/_build/test
failed_steps=()

step() {	# step NAME CMD...: run, remember failures
	local name=$1; shift
	echo "== $name"
	if ! "$@"; then
		echo "== $name: FAILED"
		failed_steps+=("$name")
		return 1
	fi
}

if [ ! -x configure ] || [ configure.ac -nt configure ] \
   || [ Makefile.am -nt configure ]; then
	# dovecot.m4 warns about obsolete macros: show them only on failure.
	step autoreconf sh -c 'autoreconf -fi >_autoreconf.log 2>&1 ||
		{ cat _autoreconf.log; exit 1; }' || exit 1
fi
if [ -f config.status ]; then
	# automake refuses an out-of-tree build of a tree configured in place.
	echo "== source tree is configured in place: make distclean there first"
	make -s distclean >/dev/null 2>&1 || rm -f config.status
fi
mkdir -p "$build" && cd "$build" || exit 1
step configure "$top/configure" -q --enable-sanitizers --enable-werror \
	--with-dovecot=/usr/lib/dovecot || exit 1
step build make -j"$jobs" -s || exit 1

# failures DIR - the failed tests under DIR: the end of each log, and
#	its failed checks (TAP "not ok", "Bail out!", cmocka "[  FAILED  ]")
#	once more, short, in $summary for the end of the output
summary=
failures() {
	local trs log lines
	for trs in $(find "$1" -name '*.trs' 2>/dev/null); do
		grep -qE '^:test-result: (FAIL|ERROR)' "$trs" || continue
		log=${trs%.trs}.log
		echo "---- $log"
		tail -n 60 "$log"
		lines=$(grep -E '^(not ok|Bail out!|\[  FAILED  \]|.*: (FAIL|ERROR)\b)' \
			"$log" | head -n 12 | cut -c 1-300)
		summary="$summary$log:"$'\n'"${lines:-  (no failed check named: see its end above)}"$'\n'
	done
}

step "make check" make -j"$jobs" -s check || failures tests

# Count individual cmocka cases and the script tests.
passed=0; failed=0
for log in $(find tests -name 'test_cm_*.log'); do
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | tail -n 1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	[ -z "$p$f" ] && failed=$((failed + 1))	# crashed before a summary
done
for trs in $(find tests -name '*.sh.trs'); do
	if grep -q '^:test-result: PASS' "$trs"; then passed=$((passed + 1));
	else failed=$((failed + 1)); fi
done

if [ -z "${CM_SKIP_FUZZ:-}" ]; then
	if step fuzz make -s fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-20}"; then
		passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [ -z "${CM_SKIP_DISTCHECK:-}" ]; then
	if step distcheck make -s distcheck >distcheck.log 2>&1; then
		grep -E 'archives ready|\.tar\.gz' distcheck.log | head -n 3
		passed=$((passed + 1))
	else
		tail -n 60 distcheck.log; failed=$((failed + 1))
		failures "$(ls -d chatmail-plugins-*/ 2>/dev/null | head -n 1)"
	fi
fi

[ -z "$summary" ] || printf '== failed checks\n%s' "$summary"
[ ${#failed_steps[@]} -eq 0 ] || echo "failed steps: ${failed_steps[*]}"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_steps[@]} -eq 0 ]
