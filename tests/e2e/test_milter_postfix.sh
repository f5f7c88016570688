#!/bin/bash
# tests/e2e/test_milter_postfix.sh - the encryption gate behind a real Postfix
#
# A real Postfix (own config dir, loopback ports) hands every message to
# chatmail-policyd's milter (smtpd_milters, milter_default_action =
# tempfail, milter_protocol = 6: README.md's lines, the socket path made
# absolute since smtpd runs unchrooted). Two smtpd services: a port-25
# style one and a submission one with milter_macro_daemon_name =
# ORIGINATING; SMTP AUTH goes through an auth-only Dovecot. Real
# PGP/MIME mail is made with GnuPG in a throwaway GNUPGHOME at test time;
# swaks is the client. Each check asserts the exact reply Postfix sends.
#
# Modes: incoming on port 25, outgoing on submission (by {daemon_name}
# even without AUTH) and for any authenticated client (by
# {auth_authen}, even on port 25).
#
# Exit 0 pass, 1 fail, 77 skip (not root; postfix, swaks, gpg or dovecot
# missing).
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd postfix postconf swaks gpg dovecot
for b in "$E2E_POLICYD" "$E2E_CTL"; do
	[ -x "$b" ] || e2e_bail "$b is not built"
done

e2e_workdir
PD=$E2E_DIR/policyd
PF=$E2E_DIR/postfix
MSG=$E2E_DIR/msg
ENC='^523 5\.7\.10 Encryption Needed: Invalid Unencrypted Mail$'
QUEUED='^250 2\.0\.0 Ok: queued as '
FROM_BAD='^550 5\.7\.1 From header address does not match the sender$'
AUTH=(--auth PLAIN --auth-user alice@example.org --auth-password secret)
mkdir -p "$MSG"

# eod PORT FROM TO DATAFILE [SWAKS ARGS] - the reply to the end of DATA
eod() {
	local port=$1 from=$2 to=$3 data=$4
	shift 4
	e2e_swaks "$port" --from "$from" --to "$to" --data "@$data" "$@" |
		e2e_reply_to '^\.$'
}

# headers FROM TO [EXTRA HEADER LINES...] - a message's header block
headers() {
	local from=$1 to=$2
	shift 2
	printf 'From: <%s>\nTo: <%s>\nSubject: [...]\n' "$from" "$to"
	printf 'Date: %s\nMessage-ID: <%s.%s@e2e.example>\n' \
		"$(date -R)" "$RANDOM$RANDOM" "$$"
	printf '%s\n' "$@"
}

# pgp_mime FROM TO FILE [ARMOR_SED] - a real PGP/MIME message to bob's key
pgp_mime() {
	local from=$1 to=$2 out=$3 fix=${4:-}
	{
		headers "$from" "$to" "MIME-Version: 1.0" \
			'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="gate-e2e"'
		printf '\n--gate-e2e\nContent-Type: application/pgp-encrypted\n'
		printf 'Content-Description: PGP/MIME version identification\n\n'
		printf 'Version: 1\n\n--gate-e2e\n'
		printf 'Content-Type: application/octet-stream; name="encrypted.asc"\n'
		printf 'Content-Disposition: inline; filename="encrypted.asc"\n\n'
		printf 'Content-Type: text/plain\n\nhello from the gate test\n' |
			gpg --batch --quiet --trust-model always --armor \
				--encrypt --recipient bob@example.org |
			sed -e "${fix:-p;d}"
		printf '\n--gate-e2e--\n'
	} >"$out"
}

# plain FROM TO FILE - an ordinary text/plain message
plain() {
	{
		headers "$1" "$2" "MIME-Version: 1.0" \
			"Content-Type: text/plain; charset=utf-8"
		printf '\nhello, in the clear\n-----BEGIN PGP MESSAGE-----\n'
		printf 'not really\n-----END PGP MESSAGE-----\n'
	} >"$3"
}

# ------------------------------------------------------------------ setup
export GNUPGHOME=$E2E_DIR/gnupg
mkdir -m 0700 "$GNUPGHOME"
e2e_atexit "gpgconf --kill all"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key bob@example.org future-default default never \
	>/dev/null 2>&1 || e2e_bail "gpg could not make a key"

e2e_policyd_conf "$PD"
e2e_policyd_start || e2e_bail "chatmail-policyd did not come up"
[ -S "$PD/milter.sock" ] || e2e_bail "no milter socket $PD/milter.sock"

PORT=$(e2e_free_port) || e2e_bail "no free port"
SUB=$(e2e_free_port) || e2e_bail "no free port"
e2e_postfix_new "$PF" "$PORT"
e2e_postfix_submission "$PF" "$SUB"
e2e_postfix_milter "$PF" "$PD/milter.sock"
e2e_postfix_conf "$PF" "smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
e2e_dovecot_auth_start "$E2E_DIR/dovecot" alice@example.org:secret ||
	e2e_bail "dovecot (auth only) did not come up"
e2e_postfix_sasl_dovecot "$PF" "$E2E_DIR/dovecot/auth-client"
e2e_postfix_start "$PF" "$PORT" || e2e_bail "postfix did not come up"
e2e_wait_for 10 e2e_smtp_banner "$SUB" || e2e_bail "no submission service"
e2e_note "postfix on 127.0.0.1:$PORT (port 25 style), :$SUB (submission)"

pgp_mime friend@remote.example alice@example.org "$MSG/in.eml"
pgp_mime alice@example.org friend@remote.example "$MSG/out.eml"
pgp_mime mallory@example.org friend@remote.example "$MSG/out_forged.eml"
pgp_mime list@remote.example alice@example.org "$MSG/in_list.eml"
pgp_mime alice@example.org friend@remote.example "$MSG/out_version.eml" \
	'/^-----BEGIN PGP MESSAGE-----$/a Version: GnuPG v2'
pgp_mime friend@remote.example alice@example.org "$MSG/in_version.eml" \
	'/^-----BEGIN PGP MESSAGE-----$/a Version: GnuPG v2'
plain friend@remote.example alice@example.org "$MSG/in_plain.eml"
plain alice@example.org friend@remote.example "$MSG/out_plain.eml"
{
	headers friend@remote.example alice@example.org \
		"Secure-Join: vc-request" "MIME-Version: 1.0" \
		'Content-Type: multipart/mixed; boundary="sj-e2e"'
	printf '\n--sj-e2e\nContent-Type: text/plain; charset=utf-8\n\n'
	printf 'secure-join: vc-request\n--sj-e2e--\n'
} >"$MSG/in_securejoin.eml"
e2e_check "gpg made a PGP/MIME message" '^-----BEGIN PGP MESSAGE-----$' \
	"$(grep -m1 '^-----BEGIN PGP' "$MSG/in.eml")"

# -------------------------------------------------------- incoming (25)
e2e_check "incoming plaintext refused" "$ENC" \
	"$(eod "$PORT" friend@remote.example alice@example.org "$MSG/in_plain.eml")"
e2e_check "incoming PGP/MIME accepted" "$QUEUED" \
	"$(eod "$PORT" friend@remote.example alice@example.org "$MSG/in.eml")"
e2e_check "incoming Secure-Join request accepted" "$QUEUED" \
	"$(eod "$PORT" friend@remote.example alice@example.org "$MSG/in_securejoin.eml")"
e2e_check "incoming: From is not checked (mailing list)" "$QUEUED" \
	"$(eod "$PORT" bounce@lists.remote.example alice@example.org "$MSG/in_list.eml")"
e2e_check "incoming: armor Version header allowed" "$QUEUED" \
	"$(eod "$PORT" friend@remote.example alice@example.org "$MSG/in_version.eml")"
e2e_check "refusal logged with queue id, mode and reason" \
	'[0-9A-F]+: reject: END-OF-MESSAGE from localhost\[127\.0\.0\.1\]: 523 5\.7\.10 Encryption Needed: Invalid Unencrypted Mail; mode=incoming from=<friend@remote\.example> to=<alice@example\.org> nrcpt=1 sasl_username=- reason=' \
	"$(grep -m1 'reject: END-OF-MESSAGE' "$PD/policyd.log")"

# -------------------------------------------- outgoing (submission, AUTH)
e2e_check "outgoing plaintext refused" "$ENC" \
	"$(eod "$SUB" alice@example.org friend@remote.example "$MSG/out_plain.eml" "${AUTH[@]}")"
e2e_check "outgoing PGP/MIME accepted" "$QUEUED" \
	"$(eod "$SUB" alice@example.org friend@remote.example "$MSG/out.eml" "${AUTH[@]}")"
e2e_check "outgoing From mismatch refused" "$FROM_BAD" \
	"$(eod "$SUB" alice@example.org friend@remote.example "$MSG/out_forged.eml" "${AUTH[@]}")"
e2e_check "outgoing armor Version header refused" "$ENC" \
	"$(eod "$SUB" alice@example.org friend@remote.example "$MSG/out_version.eml" "${AUTH[@]}")"
# mode by {daemon_name} alone: submission without AUTH (to a local user)
e2e_check "submission without AUTH is outgoing ({daemon_name})" "$FROM_BAD" \
	"$(eod "$SUB" bob@example.org alice@example.org "$MSG/out_forged.eml")"
# mode by {auth_authen} alone: AUTH on the port-25 service
e2e_check "AUTH on port 25 is outgoing ({auth_authen})" "$FROM_BAD" \
	"$(eod "$PORT" alice@example.org friend@remote.example "$MSG/out_forged.eml" "${AUTH[@]}")"
e2e_check "From refusal logged" \
	'reject: END-OF-MESSAGE from .*: 550 5\.7\.1 From header address does not match the sender; mode=outgoing from=<alice@example\.org> to=<friend@remote\.example> nrcpt=1 sasl_username=alice@example\.org reason=From address is not the envelope sender' \
	"$(grep -m1 '550 5.7.1 From header' "$PD/policyd.log")"

# ------------------------------------------------------------- counters
for row in incoming_encrypted=3 incoming_exception=1 \
	incoming_refused_encryption=1 incoming_refused_from=0 \
	incoming_tempfail=0 outgoing_encrypted=1 outgoing_exception=0 \
	outgoing_refused_encryption=2 outgoing_refused_from=3 \
	outgoing_tempfail=0; do
	e2e_check "chatmailctl stats gate_${row%=*}" "^${row#*=}\$" \
		"$(e2e_stat "gate_${row%=*}")"
done

# ------------------------------------ the daemon dies: tempfail, not accept
kill -KILL "$E2E_POLICYD_PID"
wait "$E2E_POLICYD_PID" 2>/dev/null
E2E_POLICYD_PID=
out=$(e2e_swaks "$PORT" --from friend@remote.example --to alice@example.org \
	--data "@$MSG/in.eml")
e2e_check "daemon killed: the message is tempfailed" \
	'^<\*\* 4[0-9][0-9][ -]4\.[0-9]+\.[0-9]+ ' \
	"$(grep -m1 '^<\*\* ' <<<"$out")"
e2e_check_true "daemon killed: nothing queued" "no 'queued as'" \
	test -z "$(grep 'queued as' <<<"$out")"
out=$(e2e_swaks "$SUB" --from alice@example.org --to friend@remote.example \
	--data "@$MSG/out.eml" "${AUTH[@]}")
e2e_check "daemon killed: submission tempfailed too" \
	'^<\*\* 4[0-9][0-9][ -]4\.[0-9]+\.[0-9]+ ' \
	"$(grep -m1 '^<\*\* ' <<<"$out")"

e2e_summary
