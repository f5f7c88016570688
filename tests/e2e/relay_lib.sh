# tests/e2e/relay_lib.sh - SMTP, IMAP and message helpers for the relay test
#
# NAME
#	relay_lib.sh - talk to a running scripts/relay.sh relay from bash
# DESCRIPTION
#	Sourced by tests/e2e/test_relay.sh after lib.sh. Everything here is
#	bash only (/dev/tcp), because a fresh Debian 12 has no python3:
#
#	  - an interactive SMTP session on fd 6 (rl_smtp_open, rl_smtp_cmd,
#	    rl_smtp_close) for dialogues that must stay open across an event
#	    (a SIGHUP), and a whole timed submission (rl_smtp_submit) that
#	    notes when the reply to the end of DATA arrived;
#	  - an IMAP session on fd 7 (rl_imap_open, rl_imap_cmd, rl_imap_idle,
#	    rl_imap_wait_exists, rl_imap_close);
#	  - messages made at test time: real PGP/MIME from GnuPG (GNUPGHOME
#	    must be set and hold a key for rl_key_uid), a plaintext one and a
#	    Secure-Join vc-request in the form cm_pgp accepts.
#
#	Times are microseconds of the wall clock ($EPOCHREALTIME).
#	Conventions: functions are rl_<object>_<verb>.
# ENVIRONMENT
#	RL_USERS: the relay's users.txt (address password per line).
# SEE ALSO
#	tests/e2e/lib.sh, scripts/relay.sh, shared/cm_pgp.c

rl_key_uid=bob@example.org
RL_USERS=${RL_USERS:-}
RL_SMTP_LAST=
RL_IMAP_EXISTS=
# shellcheck disable=SC2034 # read by the test
RL_IMAP_EXISTS_AT=

# rl_now - the wall clock in microseconds
rl_now() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# rl_pw ADDRESS - the relay user's password from RL_USERS
rl_pw() { awk -v u="$1" '$1 == u { print $2; exit }' "$RL_USERS"; }

# rl_auth_plain ADDRESS - the AUTH PLAIN initial response for the user
rl_auth_plain() {
	printf '\0%s\0%s' "$1" "$(rl_pw "$1")" | base64 -w0
}

# ------------------------------------------------------------------ SMTP

# _rl_smtp_reply - read one (multi-line) reply from fd 6; print it as a
#	transcript and keep its last line in RL_SMTP_LAST
_rl_smtp_reply() {
	local line
	RL_SMTP_LAST=
	while IFS= read -r -t 20 line <&6; do
		line=${line%$'\r'}
		case "$line" in
		[45]*) printf '<** %s\n' "$line" ;;
		*) printf '<-  %s\n' "$line" ;;
		esac
		if ! [[ "$line" =~ ^[0-9]{3}- ]]; then
			RL_SMTP_LAST=$line
			return 0
		fi
	done
	printf '=== timeout or EOF\n'
	return 1
}

# rl_smtp_open PORT - connect fd 6 to 127.0.0.1:PORT and read the banner
rl_smtp_open() {
	exec 6<>"/dev/tcp/127.0.0.1/$1" || return 1
	_rl_smtp_reply >/dev/null
}

# rl_smtp_cmd LINE - send one line on fd 6, read the reply; the reply's
#	last line goes to stdout (also in RL_SMTP_LAST when not called in
#	a subshell)
rl_smtp_cmd() {
	printf '%s\r\n' "$1" >&6
	_rl_smtp_reply >/dev/null || { echo "(no reply)"; return 1; }
	printf '%s\n' "$RL_SMTP_LAST"
}

# rl_smtp_close - QUIT and close fd 6
rl_smtp_close() {
	printf 'QUIT\r\n' >&6 2>/dev/null
	_rl_smtp_reply >/dev/null 2>&1
	exec 6>&-
}

# rl_smtp_data FILE - send FILE as message text (CRLF, dot-stuffed) and
#	the final "."; read the reply (transcript on stdout)
rl_smtp_data() {
	sed -e 's/^\./../' -e 's/\r*$/\r/' "$1" >&6
	printf '.\r\n' >&6
	printf ' -> .\n'
	_rl_smtp_reply
}

# rl_smtp_submit PORT USER FROM TO FILE - one whole transaction (AUTH
#	PLAIN as USER when USER is not "-"); prints a swaks-like transcript
#	(for e2e_reply_to) and, after the reply to the end of DATA, a line
#	"# eod_at=USEC". Stops at the first 4xx/5xx reply.
rl_smtp_submit() {
	local port=$1 user=$2 from=$3 to=$4 file=$5 cmd
	local -a cmds=("EHLO client.e2e.example")
	[ "$user" = - ] || cmds+=("AUTH PLAIN $(rl_auth_plain "$user")")
	cmds+=("MAIL FROM:<$from>" "RCPT TO:<$to>" DATA)
	rl_smtp_open "$port" || { echo "=== connect failed"; return 1; }
	for cmd in "${cmds[@]}"; do
		printf '%s\r\n' "$cmd" >&6
		printf ' -> %s\n' "$cmd"
		_rl_smtp_reply || { exec 6>&-; return 1; }
		[[ "$RL_SMTP_LAST" == [45]* ]] && { rl_smtp_close; return 0; }
	done
	rl_smtp_data "$file" || { exec 6>&-; return 1; }
	printf '# eod_at=%s\n' "$(rl_now)"
	rl_smtp_close
}

# --------------------------------------------------------------- IMAP

# rl_imap_open PORT USER - connect fd 7, LOGIN as USER, SELECT INBOX;
#	RL_IMAP_EXISTS is the message count SELECT reported
rl_imap_open() {
	local line
	RL_IMAP_EXISTS=
	exec 7<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 10 line <&7 || return 1
	[[ "$line" == "* OK"* ]] || return 1
	rl_imap_cmd a1 "LOGIN $2 $(rl_pw "$2")" >/dev/null || return 1
	rl_imap_cmd a2 "SELECT INBOX" >/dev/null || return 1
	[ -n "$RL_IMAP_EXISTS" ]
}

# rl_imap_cmd TAG COMMAND - send it, print the untagged lines, 0 when the
#	tagged reply is OK; "* N EXISTS" lines set RL_IMAP_EXISTS
rl_imap_cmd() {
	local tag=$1 line
	printf '%s %s\r\n' "$tag" "$2" >&7
	while IFS= read -r -t 10 line <&7; do
		line=${line%$'\r'}
		[[ "$line" =~ ^\*\ ([0-9]+)\ EXISTS$ ]] &&
			RL_IMAP_EXISTS=${BASH_REMATCH[1]}
		case "$line" in
		"$tag OK"*) return 0 ;;
		"$tag "*) printf '%s\n' "$line"; return 1 ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	return 1
}

# rl_imap_idle TAG - start IDLE; 0 once the server said "+ idling"
rl_imap_idle() {
	local line
	printf '%s IDLE\r\n' "$1" >&7
	IFS= read -r -t 10 line <&7 || return 1
	[[ "$line" == "+"* ]]
}

# rl_imap_wait_exists MIN SECONDS - in IDLE, wait for "* N EXISTS" with
#	N >= MIN; sets RL_IMAP_EXISTS and RL_IMAP_EXISTS_AT (the clock when
#	the line was read); 1 on timeout
rl_imap_wait_exists() {
	local min=$1 deadline line left
	deadline=$(($(rl_now) + $2 * 1000000))
	RL_IMAP_EXISTS_AT=
	while left=$((deadline - $(rl_now))); ((left > 0)); do
		IFS= read -r -t "$((left / 1000000)).$(printf '%06d' $((left % 1000000)))" \
			line <&7 || return 1
		line=${line%$'\r'}
		if [[ "$line" =~ ^\*\ ([0-9]+)\ EXISTS$ ]] &&
		   ((BASH_REMATCH[1] >= min)); then
			# shellcheck disable=SC2034 # read by the test
			RL_IMAP_EXISTS_AT=$(rl_now)
			RL_IMAP_EXISTS=${BASH_REMATCH[1]}
			return 0
		fi
	done
	return 1
}

# rl_imap_close TAG - end IDLE (when in it), LOGOUT, close fd 7
rl_imap_close() {
	printf 'DONE\r\n' >&7 2>/dev/null
	rl_imap_cmd "$1" LOGOUT >/dev/null 2>&1
	exec 7>&-
}

# ------------------------------------------------------------- messages

# rl_headers FROM TO [FIELD...] - a message's header block
rl_headers() {
	local from=$1 to=$2
	shift 2
	printf 'From: <%s>\nTo: <%s>\nSubject: [...]\n' "$from" "$to"
	printf 'Date: %s\nMessage-ID: <%s.%s@e2e.example>\n' \
		"$(date -R)" "$RANDOM$RANDOM$RANDOM" "$$"
	printf '%s\n' "$@"
}

# rl_msg_encrypted FROM TO FILE [PAD_BYTES] - a real PGP/MIME message
#	(GnuPG, to rl_key_uid's key, uncompressed) whose plaintext carries
#	PAD_BYTES (default 0) more bytes of base64 noise
rl_msg_encrypted() {
	local from=$1 to=$2 out=$3 pad=${4:-0}
	{
		rl_headers "$from" "$to" "MIME-Version: 1.0" \
			'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="relay-e2e"'
		printf '\n--relay-e2e\nContent-Type: application/pgp-encrypted\n'
		printf 'Content-Description: PGP/MIME version identification\n\n'
		printf 'Version: 1\n\n--relay-e2e\n'
		printf 'Content-Type: application/octet-stream; name="encrypted.asc"\n'
		printf 'Content-Disposition: inline; filename="encrypted.asc"\n\n'
		{
			printf 'Content-Type: text/plain\n\nhello from the relay test\n'
			[ "$pad" -eq 0 ] ||
				head -c "$pad" /dev/urandom | base64 -w 76
		} | gpg --batch --quiet --trust-model always --armor \
			--compress-algo none --encrypt --recipient "$rl_key_uid"
		printf '\n--relay-e2e--\n'
	} >"$out"
}

# rl_msg_plain FROM TO FILE - an ordinary text/plain message
rl_msg_plain() {
	{
		rl_headers "$1" "$2" "MIME-Version: 1.0" \
			"Content-Type: text/plain; charset=utf-8"
		printf '\nhello, in the clear\n'
	} >"$3"
}

# rl_msg_securejoin FROM TO FILE - a Secure-Join vc-request: the header
#	field, multipart/mixed with exactly one text/plain part whose body
#	is "secure-join: vc-request" (shared/cm_pgp.c)
rl_msg_securejoin() {
	{
		rl_headers "$1" "$2" "Secure-Join: vc-request" \
			"MIME-Version: 1.0" \
			'Content-Type: multipart/mixed; boundary="sj-relay-e2e"'
		printf '\n--sj-relay-e2e\nContent-Type: text/plain; charset=utf-8\n\n'
		printf 'secure-join: vc-request\n--sj-relay-e2e--\n'
	} >"$3"
}

# rl_msgid FILE - the Message-ID of a message file (without <>)
rl_msgid() { sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$1" | head -n 1; }

# ------------------------------------------------------------- Maildirs

# rl_maildir_files ROOT ADDRESS - the user's message files (INBOX new/
#	and cur/ and every Maildir++ folder's), one per line
rl_maildir_files() {
	local md=$1/${2#*@}/${2%@*}/Maildir
	[ -d "$md" ] || return 0
	find "$md" -path '*/tmp' -prune -o -type f \
		\( -path '*/new/*' -o -path '*/cur/*' \) -print
}

# rl_maildir_bytes ROOT ADDRESS - the sum of the ,S= sizes of its files
rl_maildir_bytes() {
	rl_maildir_files "$1" "$2" |
		sed -n 's/.*,S=\([0-9][0-9]*\).*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# rl_maildir_count ROOT ADDRESS - how many message files it holds
rl_maildir_count() { rl_maildir_files "$1" "$2" | wc -l; }

# rl_maildir_has ROOT ADDRESS MESSAGE_ID - 0 when a file holds that id
rl_maildir_has() {
	local f
	while IFS= read -r f; do
		grep -qF "Message-ID: <$3>" "$f" && return 0
	done < <(rl_maildir_files "$1" "$2")
	return 1
}
