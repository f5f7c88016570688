#!/bin/bash
# tests/policyd/test_scenarios.sh - policy protocol transcripts against
# the real daemon: for each tests/scenarios/NAME.in, a fresh daemon gets
# NAME.setup (chatmailctl commands, one per line), the requests are sent
# over the policy socket and the replies must equal NAME.ref byte for
# byte.
set -u
: "${top_srcdir:=.}"
. "$top_srcdir/tests/policyd/lib.sh"
work=$(mktemp -d /tmp/cm-scen.XXXXXX)
trap 'pd_stop; rm -rf "$work"' EXIT
pass=0; fail=0
for in in "$top_srcdir"/tests/scenarios/*.in; do
	name=$(basename "$in" .in)
	dir=$work/$name
	mkdir -p "$dir"
	pd_setup "$dir"
	pd_start || { fail=$((fail + 1)); continue; }
	ok=1
	if [ -f "${in%.in}.setup" ]; then
		while read -r line; do
			[ -n "$line" ] || continue
			# shellcheck disable=SC2086
			pd_ctl $line >/dev/null || { echo "setup failed: $line"; ok=0; }
		done < "${in%.in}.setup"
	fi
	"$SOCK_TOOL" "$dir/policy.sock" < "$in" > "$dir/out" || ok=0
	if [ $ok = 1 ] && diff -u "${in%.in}.ref" "$dir/out"; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name"; fail=$((fail + 1))
		tail -n 15 "$dir/daemon.log"
	fi
	pd_stop || { echo "not ok - $name: daemon exit status $?"; fail=$((fail + 1)); }
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
