#!/bin/bash
# tests/e2e/test_policy_postfix.sh - chatmail-policyd behind a real Postfix
#
# A real Postfix (own config dir, loopback port) delegates RCPT and
# END-OF-MESSAGE to a real chatmail-policyd (doc/chatmail-policyd.md's
# main.cf lines, socket path made absolute since smtpd runs unchrooted);
# swaks and a raw /dev/tcp dialogue are the SMTP clients; chatmailctl
# changes the state between checks. Each check asserts the exact reply
# code, enhanced status code and text Postfix sends.
#
# Rate limit: checked twice, end to end through Postfix with SMTP AUTH
# against an auth-only Dovecot (when dovecot is installed; else that check
# is skipped) and at the policy level with tests/e2e/policy_client.c
# (sasl_username set in the request).
#
# Exit 0 pass, 1 fail, 77 skip (not root; postfix or swaks missing).
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_root
e2e_require_cmd postfix postconf swaks
for b in "$E2E_POLICYD" "$E2E_CTL"; do
	[ -x "$b" ] || e2e_bail "$b is not built"
done

e2e_workdir
PD=$E2E_DIR/policyd
PF=$E2E_DIR/postfix

# rcpt_reply FROM TO [SWAKS ARGS] - the server's reply to RCPT TO
rcpt_reply() {
	local from=$1 to=$2
	shift 2
	e2e_swaks "$PORT" --from "$from" --to "$to" --quit-after RCPT "$@" |
		e2e_reply_to '^RCPT TO:'
}

# eod_reply FROM TO [SWAKS ARGS] - the reply to the end of DATA
eod_reply() {
	local from=$1 to=$2
	shift 2
	e2e_swaks "$PORT" --from "$from" --to "$to" "$@" | e2e_reply_to '^\.$'
}

# size_rcpt_reply FROM TO SIZE - the reply to RCPT after MAIL FROM SIZE=
size_rcpt_reply() {
	e2e_smtp "$PORT" "EHLO client.remote.example" \
		"MAIL FROM:<$1> SIZE=$3" "RCPT TO:<$2>" |
		e2e_reply_to '^RCPT TO:'
}

# ------------------------------------------------------------------ setup
# No milter in this Postfix: END-OF-MESSAGE counts the messages.
e2e_policyd_conf "$PD" "milter_socket="
e2e_maildir_add "$PD/mail" bob@example.org 600 2	# 1200 bytes used
e2e_maildir_add "$PD/mail" alice@example.org 100
e2e_maildir_add "$PD/mail" carol@example.org 0 0	# empty Maildir
e2e_policyd_start || e2e_bail "chatmail-policyd did not come up"

PORT=$(e2e_free_port) || e2e_bail "no free port"
e2e_postfix_new "$PF" "$PORT"
e2e_postfix_policy "$PF" "$PD/policy.sock"
SASL=
if command -v dovecot >/dev/null 2>&1; then
	e2e_dovecot_auth_start "$E2E_DIR/dovecot" alice@example.org:secret ||
		e2e_bail "dovecot (auth only) did not come up"
	e2e_postfix_sasl_dovecot "$PF" "$E2E_DIR/dovecot/auth-client"
	SASL=1
fi
e2e_postfix_start "$PF" "$PORT" || e2e_bail "postfix did not come up"
e2e_note "postfix on 127.0.0.1:$PORT, work dir $E2E_DIR"

# ----------------------------------------------------------------- checks
e2e_check "plain mail passes RCPT" \
	'^250 2\.1\.5 Ok$' \
	"$(rcpt_reply friend@remote.example alice@example.org)"

# 1. blocklisted sender address
e2e_ctl_quiet blocklist add address spam@remote.example e2e
e2e_check "blocklisted sender" \
	'^550 5\.7\.1 <alice@example\.org>: Recipient address rejected: Sender address blocked by policy$' \
	"$(rcpt_reply spam@remote.example alice@example.org)"
e2e_ctl_quiet blocklist del address spam@remote.example

# 2. blocklisted client IP (loopback: removed right after)
e2e_ctl_quiet blocklist add ip 127.0.0.0/8 e2e
e2e_check "blocklisted client IP" \
	'^550 5\.7\.1 <alice@example\.org>: Recipient address rejected: Client host blocked by policy$' \
	"$(rcpt_reply friend@remote.example alice@example.org)"
e2e_ctl_quiet blocklist del ip 127.0.0.0/8
e2e_check "client IP unblocked again" \
	'^250 2\.1\.5 Ok$' \
	"$(rcpt_reply friend@remote.example alice@example.org)"

# 3. federation: a denied domain; a silently dismissed one
e2e_ctl_quiet federation mode accept
e2e_ctl_quiet federation add listed denied.example
e2e_check "federation deny" \
	'^550 5\.7\.1 <alice@example\.org>: Recipient address rejected: Sender domain denied\.example is not federated with this relay$' \
	"$(rcpt_reply x@denied.example alice@example.org)"
e2e_ctl_quiet federation add silent_dismiss quiet.example
e2e_check "federation silent_dismiss: RCPT" \
	'^250 2\.1\.5 Ok$' \
	"$(rcpt_reply y@quiet.example alice@example.org)"
e2e_check "federation silent_dismiss: end of DATA" \
	'^250 2\.0\.0 Ok: queued as ' \
	"$(eod_reply z@quiet.example alice@example.org)"
e2e_check "federation silent_dismiss: maillog" \
	'NOQUEUE: discard: RCPT from localhost\[127\.0\.0\.1\]: <alice@example\.org>: Recipient address silently dismissed by federation policy; from=<z@quiet\.example> to=<alice@example\.org>' \
	"$(e2e_maillog_wait "$PF" 'discard: RCPT from .* from=<z@quiet\.example>')"
e2e_check "federation stats count the rejection" \
	'denied\.example' \
	"$(e2e_ctl federation stats 2>&1 | grep denied.example | head -n 1)"

# 4. message size: declared at RCPT, real at END-OF-MESSAGE (Postfix's
#    own message_size_limit is 10240000, far above ours)
e2e_ctl_quiet settings set max_message_size 10000
e2e_check "declared SIZE over max_message_size" \
	'^552 5\.3\.4 <alice@example\.org>: Recipient address rejected: Message size exceeds fixed limit$' \
	"$(size_rcpt_reply friend@remote.example alice@example.org 20000)"
e2e_check "declared SIZE under max_message_size" \
	'^250 2\.1\.5 Ok$' \
	"$(size_rcpt_reply friend@remote.example alice@example.org 5000)"
BIG=$(head -c 15000 /dev/zero | tr '\0' x | fold -w 76)
e2e_check "real size over max_message_size at END-OF-MESSAGE" \
	'^552 5\.3\.4 <END-OF-MESSAGE>: End-of-data rejected: Message size exceeds fixed limit$' \
	"$(eod_reply friend@remote.example alice@example.org --body "$BIG")"
e2e_ctl_quiet settings reset max_message_size

# 5. quota: bob's Maildir holds 1200 bytes, carol's none
e2e_check "quota get: used walked from the Maildir" \
	'bob@example\.org[[:space:]]+1200[[:space:]]' \
	"$(e2e_ctl quota get bob@example.org 2>&1 | head -n 1)"
e2e_ctl_quiet quota set bob@example.org 1000
e2e_ctl_quiet quota set carol@example.org 1000
e2e_check "mailbox already over quota" \
	'^552 5\.2\.2 <bob@example\.org>: Recipient address rejected: Mailbox full$' \
	"$(rcpt_reply friend@remote.example bob@example.org)"
e2e_check "declared SIZE over the free quota" \
	'^552 5\.2\.2 <carol@example\.org>: Recipient address rejected: Mailbox full$' \
	"$(size_rcpt_reply friend@remote.example carol@example.org 2000)"
e2e_check "declared SIZE landing exactly on the quota" \
	'^250 2\.1\.5 Ok$' \
	"$(size_rcpt_reply friend@remote.example carol@example.org 1000)"
e2e_ctl_quiet settings set quota_full_transient yes
e2e_check "mailbox full, quota_full_transient" \
	'^452 4\.2\.2 <bob@example\.org>: Recipient address rejected: Mailbox full, try again later$' \
	"$(rcpt_reply friend@remote.example bob@example.org)"
e2e_ctl_quiet settings reset quota_full_transient

# 6. an accepted mail is counted
before=$(e2e_stat messages_received)
e2e_check "accepted mail" \
	'^250 2\.0\.0 Ok: queued as ' \
	"$(eod_reply friend@remote.example alice@example.org)"
# shellcheck disable=SC2317 # called through e2e_wait_for
counted() { [ "$(e2e_stat messages_received)" = $((${before:-0} + 1)) ]; }
e2e_wait_for 5 counted
e2e_check "stats count it as received" \
	"^$((${before:-0} + 1))\$" \
	"$(e2e_stat messages_received)"

# 7. sender rate: one message per minute, burst 1
e2e_ctl_quiet settings set max_user_send_per_minute 1
e2e_ctl_quiet settings set max_user_send_burst 1
if [ -n "$SASL" ]; then
	auth=(--auth PLAIN --auth-user alice@example.org --auth-password secret)
	e2e_check "SMTP AUTH: first message within the rate" \
		'^250 2\.1\.5 Ok$' \
		"$(rcpt_reply alice@example.org dave@example.org "${auth[@]}")"
	e2e_check "SMTP AUTH: second message over the rate" \
		'^450 4\.7\.1 <dave@example\.org>: Recipient address rejected: Sender rate limit exceeded, try again later$' \
		"$(rcpt_reply alice@example.org dave@example.org "${auth[@]}")"
else
	E2E_N=$((E2E_N + 1))
	printf 'ok %d - SMTP AUTH rate limit # SKIP dovecot not installed\n' "$E2E_N"
fi
if e2e_policy_client_build; then
	out=$({
		e2e_policy_request sasl_username=erin@example.org \
			sender=erin@example.org recipient=dave@example.org \
			instance=e2e.1
		e2e_policy_request sasl_username=erin@example.org \
			sender=erin@example.org recipient=frank@example.org \
			instance=e2e.1
		e2e_policy_request sasl_username=erin@example.org \
			sender=erin@example.org recipient=dave@example.org \
			instance=e2e.2
	} | "$E2E_POLICY_CLIENT" "$PD/policy.sock" 2>&1)
	e2e_check "policy socket: first transaction within the rate" \
		'^action=DUNNO$' "$(sed -n 1p <<<"$out")"
	e2e_check "policy socket: same transaction not charged again" \
		'^action=DUNNO$' "$(sed -n 2p <<<"$out")"
	e2e_check "policy socket: next transaction over the rate" \
		'^action=450 4\.7\.1 Sender rate limit exceeded, try again later$' "$(sed -n 3p <<<"$out")"
else
	e2e_check "policy_client builds (cc)" '^built$' "no C compiler or build failed"
fi
e2e_ctl_quiet settings reset max_user_send_per_minute
e2e_ctl_quiet settings reset max_user_send_burst

# 8. the daemon dies: mail is deferred, never accepted (Postfix 3.7 answers
#    default_action=DEFER_IF_PERMIT with "450 4.7.1 ... Service unavailable")
kill -KILL "$E2E_POLICYD_PID"
wait "$E2E_POLICYD_PID" 2>/dev/null
E2E_POLICYD_PID=
e2e_check "daemon killed: RCPT tempfails" \
	'^450 4\.7\.1 <alice@example\.org>: Recipient address rejected: Service unavailable$' \
	"$(rcpt_reply friend@remote.example alice@example.org)"

e2e_summary
