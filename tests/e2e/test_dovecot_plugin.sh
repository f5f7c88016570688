#!/bin/bash
# tests/e2e/test_dovecot_plugin.sh - the Dovecot plugins in a real Dovecot
#
# A real chatmail-policyd (dovecot_socket 0660 group nogroup, the group of
# the uid Dovecot's mail processes run as) and a real Dovecot with its own
# config dir serving LMTP on a loopback port, mail_plugins = quota
# chatmail loaded from the build tree (mail_plugin_dir of symlinks into
# .libs), quota = chatmail:User quota, Maildirs under the daemon's
# mail_root in its default layout. doveadm runs with -c on that config;
# `doveadm chatmail` needs its module in Dovecot's compiled-in doveadm
# module dir, so those calls run in a private mount namespace where a
# copy of that dir with the fresh module is bind-mounted over it (with a
# temporary symlink in the real dir as the fallback when unshare fails).
#
# Shows: LMTP delivery raises the RAM quota (chatmailctl and doveadm quota
# get agree) to exactly the bytes on disk; the delivery is reported as a
# new-mail event; expunge lowers it; a delivery over quota is refused by
# Dovecot (552 5.2.2) and leaves nothing on disk; doveadm chatmail quota
# lists the users (sorted, json), stats and hydrate answer; doveadm quota
# recalc after files changed on disk corrects the quota; with the daemon
# stopped deliveries still work, one log line says so, doveadm chatmail
# names the socket, and the next start hydrates the right usage.
#
# Exit 0 pass, 1 fail, 77 skip (not root; dovecot or chatmail builds
# missing).
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd dovecot doveadm
for b in "$E2E_POLICYD" "$E2E_CTL"; do
	[ -x "$b" ] || e2e_bail "$b is not built"
done
ADM_SO=$top_builddir/dovecot-plugin/.libs/lib95_doveadm_chatmail_plugin.so
[ -f "$ADM_SO" ] || e2e_bail "$ADM_SO is not built"
DOVEADM_MODULEDIR=/usr/lib/dovecot/modules/doveadm

e2e_workdir
PD=$E2E_DIR/policyd
DD=$E2E_DIR/dovecot
ROOT=$PD/mail
SOCK=$PD/dovecot.sock

# ---------------------------------------------------------------- helpers

# lmtp_deliver TO SIZE [TO2 SIZE2] - one LMTP session, one message each
#	of about SIZE bytes of body; prints the final reply line of each DATA
lmtp_deliver() {
	local args=("LHLO client.example") to size body
	while [ $# -ge 2 ]; do
		to=$1 size=$2
		shift 2
		body=$(head -c "$size" /dev/zero | tr '\0' x | fold -w 76 |
			sed 's/$/\r/')
		args+=("MAIL FROM:<sender@remote.example>" "RCPT TO:<$to>"
			"DATA" "From: sender@remote.example"$'\r\n'"To: $to"$'\r\n'"Subject: e2e"$'\r\n\r\n'"$body"$'\r\n.')
	done
	e2e_smtp "$LMTP" "${args[@]}" | awk '
		/^ -> DATA/ { data = 1; next }
		/^ -> / { if (data == 2) data = 0; if (data == 1) data = 2; next }
		/^<(-|\*\*) *[0-9][0-9][0-9] / { if (data == 2) { sub(/^<(-|\*\*) */, ""); print; data = 0 } }'
}

# disk_bytes USER - the sum of the sizes of USER's message files
disk_bytes() {
	local md=$ROOT/${1#*@}/${1%@*}/Maildir
	find "$md" -path '*/tmp' -prune -o -type f \( -path '*/cur/*' \
		-o -path '*/new/*' \) -printf '%s\n' 2>/dev/null |
		awk '{ s += $1 } END { print s + 0 }'
}

# ram_used USER - used bytes in the daemon's RAM (chatmailctl)
ram_used() {
	e2e_ctl quota get "$1" 2>/dev/null | awk -F'\t' '{ print $2; exit }'
}

# ram_max USER - the user's max in the daemon's RAM
ram_max() {
	e2e_ctl quota get "$1" 2>/dev/null | awk -F'\t' '{ print $3; exit }'
}

# dq_value USER - doveadm quota get: "VALUE LIMIT" of STORAGE (KiB)
dq_value() {
	doveadm -c "$DD/dovecot.conf" -f tab quota get -u "$1" 2>&1 |
		awk -F'\t' '$2 == "STORAGE" { print $3, $4 }'
}

# kib BYTES - what Dovecot shows for BYTES in STORAGE (rounded up)
kib() { echo $((($1 + 1023) / 1024)); }

# doveadm_chatmail [-f FORMAT] ARGS... - doveadm chatmail ... with the
#	fresh module
doveadm_chatmail() {
	local opts=(-c "$DD/dovecot.conf")
	if [ "${1:-}" = -f ]; then
		opts+=(-f "$2")
		shift 2
	fi
	if [ "$ADM_MODE" = ns ]; then
		unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 &&
			exec doveadm "$@"' sh "$E2E_DIR/doveadm-modules" \
			"$DOVEADM_MODULEDIR" "${opts[@]}" chatmail "$@"
	else
		doveadm "${opts[@]}" chatmail "$@"
	fi
}

# dovecot_log_count ERE - lines of the Dovecot log matching ERE
dovecot_log_count() { grep -cE -- "$1" "$DD/dovecot.log"; }

# ------------------------------------------------------------------ setup
e2e_policyd_conf "$PD" "dovecot_socket=$SOCK" "dovecot_socket_mode=0660" \
	"dovecot_socket_group=nogroup" "milter_socket="
e2e_maildir_add "$ROOT" bob@example.org 600 2	# 1200 bytes before start
chown -R 65534:65534 "$ROOT"
e2e_policyd_start || e2e_bail "chatmail-policyd did not come up"
e2e_wait_for 5 test -S "$SOCK" || e2e_bail "no dovecot socket $SOCK"
e2e_check "dovecot socket mode and group" '^660 nogroup$' \
	"$(stat -c '%a %G' "$SOCK")"

LMTP=$(e2e_free_port) || e2e_bail "no free port"
mkdir -p "$DD"
e2e_dovecot_plugin_dir "$DD/modules" || e2e_bail "plugin not built"
cat >"$DD/extra.conf" <<EOF
mail_plugin_dir = $DD/modules
mail_plugins = quota chatmail
plugin {
  quota = chatmail:User quota
  quota_grace = 0
  chatmail_socket = $SOCK
  chatmail_retry_secs = 30
}
EOF
e2e_dovecot_lmtp_start "$DD" "$LMTP" "$ROOT" || e2e_bail "Dovecot did not come up"

# doveadm's module dir with the fresh module, for doveadm chatmail
mkdir -p "$E2E_DIR/doveadm-modules"
cp -p "$DOVEADM_MODULEDIR"/*.so "$E2E_DIR/doveadm-modules/" 2>/dev/null
cp "$ADM_SO" "$E2E_DIR/doveadm-modules/"
if unshare -m sh -c "mount --bind '$E2E_DIR/doveadm-modules' \
	'$DOVEADM_MODULEDIR'" 2>/dev/null; then
	ADM_MODE=ns
else
	ADM_MODE=link
	e2e_note "unshare -m failed: linking the module into $DOVEADM_MODULEDIR"
	ln -sf "$ADM_SO" "$DOVEADM_MODULEDIR/lib95_doveadm_chatmail_plugin.so"
	e2e_atexit "rm -f '$DOVEADM_MODULEDIR/lib95_doveadm_chatmail_plugin.so'"
fi

# -------------------------------------------------------------- delivery
e2e_check "LMTP delivery to alice" '^250 ' \
	"$(lmtp_deliver alice@example.org 3000)"
A=$(disk_bytes alice@example.org)
e2e_check "a message is on disk" '^[0-9]{4,}$' "$A"
e2e_check "RAM quota = bytes on disk" "^$A\$" "$(ram_used alice@example.org)"
e2e_check "doveadm quota get = bytes on disk (KiB)" \
	"^$(kib "$A") $(kib "$(ram_max alice@example.org)")\$" \
	"$(dq_value alice@example.org)"
e2e_check "second delivery adds up" '^250 ' \
	"$(lmtp_deliver alice@example.org 5000)"
A=$(disk_bytes alice@example.org)
e2e_check "RAM quota = bytes on disk after two" "^$A\$" \
	"$(ram_used alice@example.org)"
e2e_check "doveadm agrees after two" "^$(kib "$A") " \
	"$(dq_value alice@example.org)"
e2e_check "deliveries reported as new-mail events" '^2$' \
	"$(e2e_stat dovecot_deliveries)"
e2e_check "bob as hydrated at start" '^1200$' "$(ram_used bob@example.org)"
e2e_check "doveadm quota get for bob" "^$(kib 1200) " \
	"$(dq_value bob@example.org)"

# --------------------------------------------------------------- expunge
before=$(disk_bytes alice@example.org)
doveadm -c "$DD/dovecot.conf" expunge -u alice@example.org mailbox INBOX \
	uid 1 >/dev/null 2>&1
A=$(disk_bytes alice@example.org)
e2e_check "expunge of one message leaves the other on disk" '^yes$' \
	"$([ "$A" -gt 0 ] && [ "$A" -lt "$before" ] && echo yes)"
e2e_check "expunge lowers the quota to the bytes on disk" "^$A\$" \
	"$(ram_used alice@example.org)"
doveadm -c "$DD/dovecot.conf" expunge -u alice@example.org mailbox INBOX \
	all >/dev/null 2>&1
e2e_check "nothing left after expunging all" '^0$' \
	"$(ram_used alice@example.org)"
e2e_check "doveadm after expunge" '^0 ' "$(dq_value alice@example.org)"

# ------------------------------------------------------------- over quota
e2e_ctl quota set carol@example.org 4000 >/dev/null
e2e_check "delivery under carol's limit" '^250 ' \
	"$(lmtp_deliver carol@example.org 1000)"
C=$(disk_bytes carol@example.org)
e2e_check "over-quota delivery refused by Dovecot" '^552 5\.2\.2 ' \
	"$(lmtp_deliver carol@example.org 5000)"
e2e_check "nothing more on disk for carol" "^$C\$" \
	"$(disk_bytes carol@example.org)"
e2e_check "carol's quota unchanged" "^$C\$" "$(ram_used carol@example.org)"
e2e_check "doveadm shows carol's limit" "^$(kib "$C") 4 *\$" \
	"$(dq_value carol@example.org)"

# -------------------------------------------------------- doveadm chatmail
out=$(doveadm_chatmail quota 2>&1)
e2e_note "doveadm chatmail quota:"
printf '%s\n' "$out" | sed 's/^/#   /'
e2e_check "doveadm chatmail quota header" '^user +used +max +%$' \
	"$(printf '%s\n' "$out" | head -n 1 | sed 's/ *$//')"
e2e_check "doveadm chatmail quota lists the users" \
	'^alice@example\.org bob@example\.org carol@example\.org $' \
	"$(printf '%s\n' "$out" | awk 'NR > 1 { printf "%s ", $1 }')"
e2e_check "doveadm chatmail quota row for carol" \
	"^carol@example\\.org +$C +4000 +$((C * 100 / 4000))\$" \
	"$(printf '%s\n' "$out" | grep '^carol@' | sed 's/ *$//')"
e2e_check "doveadm chatmail quota -s used (largest first)" \
	'^carol@example\.org bob@example\.org alice@example\.org $' \
	"$(doveadm_chatmail quota -s used 2>&1 |
		awk 'NR > 1 { printf "%s ", $1 }')"
e2e_check "doveadm chatmail quota -s percent (ties by name)" \
	'^carol@example\.org alice@example\.org bob@example\.org $' \
	"$(doveadm_chatmail quota -s percent 2>&1 |
		awk 'NR > 1 { printf "%s ", $1 }')"
e2e_check "doveadm -f json chatmail quota" \
	'"user":"bob@example\.org","used":"1200","max":"1073741824","percent":"0"' \
	"$(doveadm_chatmail -f json quota 2>&1 | tr -d '\n ')"
e2e_check "doveadm chatmail quota -s bogus" 'Unknown sort key' \
	"$(doveadm_chatmail quota -s bogus 2>&1 | head -n 1)"
e2e_check "doveadm chatmail stats" '^dovecot_deliveries +3$' \
	"$(doveadm_chatmail stats 2>&1 | grep '^dovecot_deliveries' |
		sed 's/ *$//')"
e2e_check "doveadm chatmail hydrate" '^0$' \
	"$(doveadm_chatmail hydrate >/dev/null 2>&1; echo $?)"
e2e_wait_for 5 grep -q 'dovecot: .* asked for a hydrate' "$PD/policyd.log"
e2e_check "hydrate logged by the daemon" 'asked for a hydrate' \
	"$(grep -o 'asked for a hydrate' "$PD/policyd.log" | head -n 1)"

# ------------------------------------------------------------ recalc
B=$(disk_bytes bob@example.org)
e2e_maildir_add "$ROOT" bob@example.org 7000	# behind Dovecot's back
rm -f "$(find "$ROOT/example.org/bob/Maildir/cur" -name '*,S=600*' | head -n 1)"
chown -R 65534:65534 "$ROOT"
e2e_check "RAM quota stale after editing files" "^$B\$" \
	"$(ram_used bob@example.org)"
doveadm -c "$DD/dovecot.conf" quota recalc -u bob@example.org
e2e_check "doveadm quota recalc corrects it" \
	"^$(disk_bytes bob@example.org)\$" "$(ram_used bob@example.org)"
e2e_check "doveadm quota get after recalc" \
	"^$(kib "$(disk_bytes bob@example.org)") " "$(dq_value bob@example.org)"

# ------------------------------------------------------------ daemon down
e2e_policyd_stop
e2e_check "delivery with the daemon stopped (two in one session)" \
	'^250 .*;250 ' "$(lmtp_deliver alice@example.org 2000 \
		alice@example.org 2000 | paste -sd ';')"
e2e_check "one log line says the daemon is unreachable" '^1$' \
	"$(dovecot_log_count 'chatmail-policyd is not reachable at')"
e2e_note "$(grep -m1 'chatmail-policyd is not reachable at' "$DD/dovecot.log")"
out=$(doveadm_chatmail quota 2>&1; echo "exit=$?")
e2e_check "doveadm chatmail names the socket when the daemon is down" \
	"not reachable at $SOCK:.*exit=75" "$(printf '%s' "$out" | tr '\n' ' ')"
e2e_check "doveadm quota recalc fails with the daemon down" \
	'not reachable' "$(doveadm -c "$DD/dovecot.conf" quota recalc \
		-u bob@example.org 2>&1 | head -n 1)"
e2e_policyd_start || e2e_bail "chatmail-policyd did not come back"
e2e_check "restart hydrates what arrived meanwhile" \
	"^$(disk_bytes alice@example.org)\$" "$(ram_used alice@example.org)"
# At once: the outage was a refused connect (no socket), which the
# plugin does not hold against the daemon for chatmail_retry_secs (30 s
# here); otherwise this change would be dropped after the hydrate.
e2e_check "delivery right after the restart" '^250 ' \
	"$(lmtp_deliver alice@example.org 1000)"
e2e_check "quota follows again" "^$(disk_bytes alice@example.org)\$" \
	"$(ram_used alice@example.org)"
e2e_check "the return was logged once" '^1$' \
	"$(dovecot_log_count 'chatmail-policyd at .* answers again')"

# A restart between two deliveries: the LMTP process's kept connection
# is dead; the plugin reconnects at once, nothing is logged.
e2e_policyd_stop
e2e_policyd_start || e2e_bail "chatmail-policyd did not come back"
e2e_check "delivery over a connection the daemon had closed" '^250 ' \
	"$(lmtp_deliver alice@example.org 1000)"
e2e_check "quota follows over the new connection" \
	"^$(disk_bytes alice@example.org)\$" "$(ram_used alice@example.org)"
e2e_check "no new outage logged" '^1$' \
	"$(dovecot_log_count 'chatmail-policyd is not reachable at')"

e2e_summary
