# tests/e2e/lib.sh - helpers for end-to-end tests against the real hosts
#
# NAME
#	lib.sh - run a real Postfix (and Dovecot auth) with chatmail-policyd
# DESCRIPTION
#	Sourced by tests/e2e/test_*.sh (bash). Everything lives in one
#	throwaway directory under /var/tmp (e2e_workdir), every process
#	started is registered with e2e_atexit and stopped, newest first, when
#	the test exits for any reason. Loopback only, free ports.
#
#	Checks print TAP-like lines ("ok N - what", "not ok N - what") and
#	e2e_summary prints "N passed, M failed" and sets the exit status.
#
#	Conventions: functions are e2e_<object>_<verb>; a Postfix instance
#	is a directory D holding D/etc (config), D/spool (queue, root-owned),
#	D/data (postfix-owned) and D/maillog; a daemon's files are named in
#	its conf file.
# ENVIRONMENT
#	top_srcdir, top_builddir (exported by automake; default: guessed
#	from this file's location). E2E_KEEP=1 keeps the work dir.
# SEE ALSO
#	/work/shared/design/HOSTS.md, doc/chatmail-policyd.md

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$E2E_LIB_DIR/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/scripts/port.sh"
E2E_POSTFIX_SBIN=$(postconf -dh daemon_directory 2>/dev/null || echo /usr/lib/postfix/sbin)

E2E_DIR=
E2E_PASS=0
E2E_FAIL=0
E2E_N=0
E2E_ATEXIT=()
E2E_ON_FAIL=()

# e2e_note - a diagnostic line (TAP comment)
e2e_note() { printf '# %s\n' "$*"; }

# e2e_skip - skip the whole test (exit 77) with a reason on stderr
e2e_skip() { printf 'SKIP: %s\n' "$*" >&2; exit 77; }

# e2e_bail - give up on an unrecoverable setup error (counts as failure)
e2e_bail() {
	printf 'Bail out! %s\n' "$*"
	E2E_FAIL=$((E2E_FAIL + 1))
	e2e_dump_logs
	exit 1
}

# e2e_require_root - skip unless running as root
e2e_require_root() {
	[ "$(id -u)" = 0 ] || e2e_skip "needs root (Postfix instances, socket ownership)"
}

# e2e_require_cmd - skip unless every named command is installed
e2e_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || e2e_skip "$c is not installed"
	done
}

# e2e_atexit - run a shell command when the test exits (newest first)
e2e_atexit() { E2E_ATEXIT+=("$1"); }

# e2e_on_fail - run a command to show diagnostics when a check failed
e2e_on_fail() { E2E_ON_FAIL+=("$1"); }

# e2e_cleanup - the EXIT trap: stop everything, remove the work dir
e2e_cleanup() {
	local status=$? i
	trap - EXIT INT TERM HUP
	if [ "$E2E_FAIL" -gt 0 ]; then e2e_dump_logs; fi
	for ((i = ${#E2E_ATEXIT[@]} - 1; i >= 0; i--)); do
		eval "${E2E_ATEXIT[i]}" >/dev/null 2>&1 || :
	done
	if [ -n "$E2E_DIR" ] && [ -d "$E2E_DIR" ]; then
		if [ "${E2E_KEEP:-0}" = 1 ]; then
			e2e_note "work dir kept: $E2E_DIR"
		else
			rm -rf -- "$E2E_DIR"
		fi
	fi
	exit "$status"
}

# e2e_dump_logs - show the tails of every registered log (once)
e2e_dump_logs() {
	local c
	[ -n "${E2E_DUMPED:-}" ] && return 0
	E2E_DUMPED=1
	for c in "${E2E_ON_FAIL[@]}"; do eval "$c" 2>&1 | sed 's/^/# /'; done
}

# e2e_tail FILE [N] - print the last N lines of FILE with a header
e2e_tail() {
	echo "---- tail of $1 ----"
	if [ -f "$1" ]; then tail -n "${2:-40}" "$1"; else echo "(missing)"; fi
}

# e2e_workdir - create the work dir under /var/tmp and set the traps
#	Every parent of it must be traversable by the postfix user.
e2e_workdir() {
	local d
	E2E_DIR=$(mktemp -d /var/tmp/chatmail-e2e.XXXXXX) || e2e_bail "mktemp failed"
	chmod 0755 "$E2E_DIR"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	d=$E2E_DIR
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		[[ "$(stat -c %A "$d" | cut -c10)" == [xt] ]] ||
			e2e_bail "$d is not world-traversable"
	done
}

# e2e_check NAME EXPECTED_ERE ACTUAL - one check line
#	Passes when ACTUAL (one line) matches the extended regex.
e2e_check() {
	local name=$1 want=$2 got=$3
	E2E_N=$((E2E_N + 1))
	if [[ -n "$got" && "$got" =~ $want ]]; then
		E2E_PASS=$((E2E_PASS + 1))
		printf 'ok %d - %s: %s\n' "$E2E_N" "$name" "$got"
	else
		E2E_FAIL=$((E2E_FAIL + 1))
		printf 'not ok %d - %s: got [%s], want /%s/\n' \
			"$E2E_N" "$name" "$got" "$want"
	fi
}

# e2e_check_true NAME DETAIL COMMAND... - passes when the command succeeds
e2e_check_true() {
	local name=$1 detail=$2
	shift 2
	E2E_N=$((E2E_N + 1))
	if "$@"; then
		E2E_PASS=$((E2E_PASS + 1))
		printf 'ok %d - %s: %s\n' "$E2E_N" "$name" "$detail"
	else
		E2E_FAIL=$((E2E_FAIL + 1))
		printf 'not ok %d - %s: %s\n' "$E2E_N" "$name" "$detail"
	fi
}

# e2e_summary - the final line; the exit status follows the result
e2e_summary() {
	printf '%d passed, %d failed\n' "$E2E_PASS" "$E2E_FAIL"
	[ "$E2E_FAIL" -eq 0 ] && exit 0
	exit 1
}

# e2e_free_port - print a free loopback port not handed out before in
#	this test: port_draw (scripts/port.sh) with $E2E_DIR/.ports, which
#	carries the ports over the PORT=$(e2e_free_port) subshells
e2e_free_port() { port_draw "${E2E_DIR:+$E2E_DIR/.ports}"; }

# e2e_wait_for SECONDS COMMAND... - poll every 0.1 s until it succeeds
e2e_wait_for() {
	local n=$(($1 * 10))
	shift
	while ((n-- > 0)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# e2e_smtp_banner PORT - 0 when an SMTP server greets on 127.0.0.1:PORT
e2e_smtp_banner() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 5 line <&3
	printf 'QUIT\r\n' >&3
	exec 3>&-
	[[ "$line" == 220* ]]
}

# ---------------------------------------------------------------- Postfix

# e2e_postfix_new DIR PORT - write a Postfix instance's config in DIR
#	One inet smtpd on 127.0.0.1:PORT (no chroot), the unix services a
#	queue needs, postlogd writing DIR/maillog. example.org is a virtual
#	mailbox domain; every delivery goes to discard: (we test the SMTP
#	replies only). mynetworks is empty so restrictions apply to
#	loopback. Tune further with e2e_postfix_conf.
e2e_postfix_new() {
	local d=$1 port=$2
	mkdir -p "$d/etc" "$d/spool" "$d/data"
	chown root:root "$d/spool"
	chown postfix:postfix "$d/data"
	chmod 0755 "$d" "$d/etc" "$d/spool"
	: >"$d/maillog"
	chmod 0644 "$d/maillog"
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
command_directory = /usr/sbin
daemon_directory = $E2E_POSTFIX_SBIN
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/maillog
myhostname = mx.example.org
mydomain = example.org
myorigin = example.org
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = example.org
virtual_mailbox_maps =
virtual_transport = discard:
local_transport = discard:
default_transport = discard:
relay_transport = discard:
smtpd_reject_unlisted_recipient = no
smtpd_banner = \$myhostname ESMTP e2e
smtpd_tls_security_level = none
smtp_tls_security_level = none
biff = no
message_size_limit = 10240000
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_end_of_data_restrictions =
EOF
	cat >"$d/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$port inet n  -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	E2E_ON_FAIL+=("e2e_tail '$d/maillog' 40")
}

# e2e_postfix_conf DIR 'key = value'... - edit DIR's main.cf (postconf -e)
e2e_postfix_conf() {
	local d=$1
	shift
	postconf -c "$d/etc" -e "$@"
}

# e2e_postfix_policy DIR SOCKET - delegate RCPT and END-OF-MESSAGE to
#	a policy service on the UNIX socket SOCKET (absolute: no chroot),
#	as doc/chatmail-policyd.md shows; a dead service tempfails.
e2e_postfix_policy() {
	local d=$1 sock=$2 ps
	ps="check_policy_service { unix:$sock, default_action=DEFER_IF_PERMIT }"
	e2e_postfix_conf "$d" \
		"smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, $ps" \
		"smtpd_end_of_data_restrictions = $ps"
}

# e2e_postfix_sasl_dovecot DIR SOCKET - SMTP AUTH through Dovecot's
#	auth-client socket SOCKET (absolute path)
e2e_postfix_sasl_dovecot() {
	local d=$1 sock=$2
	e2e_postfix_conf "$d" \
		"smtpd_sasl_auth_enable = yes" \
		"smtpd_sasl_type = dovecot" \
		"smtpd_sasl_path = $sock" \
		"smtpd_sasl_security_options = noanonymous" \
		"smtpd_tls_auth_only = no"
}

# e2e_postfix_milter DIR SOCKET - hand every message to the milter on
#	the UNIX socket SOCKET (absolute: no chroot), with the main.cf
#	lines README.md gives; a dead milter tempfails
e2e_postfix_milter() {
	local d=$1 sock=$2
	e2e_postfix_conf "$d" \
		"smtpd_milters = unix:$sock" \
		"non_smtpd_milters = \$smtpd_milters" \
		"milter_default_action = tempfail" \
		"milter_protocol = 6"
}

# e2e_postfix_submission DIR PORT [-o NAME=VALUE...] - a second smtpd on
#	127.0.0.1:PORT, the submission service of master.cf (no TLS in
#	tests) with milter_macro_daemon_name=ORIGINATING as README.md
#	shows; more -o options may follow
e2e_postfix_submission() {
	local d=$1 port=$2
	shift 2
	printf '127.0.0.1:%s inet n  -       n       -       -       smtpd\n' \
		"$port" >>"$d/etc/master.cf"
	printf '  -o syslog_name=postfix/submission\n' >>"$d/etc/master.cf"
	printf '  -o milter_macro_daemon_name=ORIGINATING\n' >>"$d/etc/master.cf"
	while [ $# -ge 2 ] && [ "$1" = -o ]; do
		printf '  -o %s\n' "$2" >>"$d/etc/master.cf"
		shift 2
	done
}

# e2e_postfix_start DIR PORT - start the instance, wait for its banner
e2e_postfix_start() {
	local d=$1 port=$2 out
	out=$(postfix -c "$d/etc" check 2>&1) || {
		printf '%s\n' "$out"
		return 1
	}
	postfix -c "$d/etc" start >/dev/null 2>&1 || {
		postfix -c "$d/etc" start
		return 1
	}
	e2e_atexit "postfix -c '$d/etc' stop"
	e2e_wait_for 15 e2e_smtp_banner "$port"
}

# e2e_postfix_stop DIR - stop the instance (waits for master to exit)
e2e_postfix_stop() {
	postfix -c "$1/etc" stop >/dev/null 2>&1
}

# e2e_maillog_wait DIR ERE [SECONDS] - wait until the maillog has a line
#	matching ERE; print it
e2e_maillog_wait() {
	local d=$1 re=$2 n=$((${3:-5} * 10))
	while ((n-- > 0)); do
		if grep -E -m1 -- "$re" "$d/maillog"; then return 0; fi
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------ SMTP clients

# e2e_swaks PORT ARGS... - run swaks against 127.0.0.1:PORT; the transcript
#	goes to stdout (its exit status is that of swaks: nonzero on a
#	rejection, which is usually what we test, so callers ignore it)
e2e_swaks() {
	local port=$1
	shift
	swaks --server "127.0.0.1:$port" --helo client.remote.example \
		--timeout 20 --hide-informational "$@" 2>&1
}

# e2e_smtp PORT COMMAND... - a raw SMTP dialogue over bash's /dev/tcp
#	(for what swaks cannot say, e.g. "MAIL FROM:<a> SIZE=N"). Reads the
#	banner, sends each COMMAND and reads its reply, then QUIT. Prints a
#	swaks-like transcript: " -> COMMAND", "<-  reply", "<** 4xx/5xx".
#	A COMMAND "DATA" is followed by reading the 354 only; send the
#	message text as the next COMMAND (ending "\r\n."; no line is
#	dot-stuffed, keep lines from starting with ".").
e2e_smtp() {
	local port=$1 cmd
	shift
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	_e2e_smtp_reply || { exec 3>&-; return 1; }
	for cmd in "$@" QUIT; do
		printf '%s\r\n' "$cmd" >&3
		printf ' -> %s\n' "${cmd%%$'\r'*}"
		_e2e_smtp_reply || break
	done
	exec 3>&-
}

# _e2e_smtp_reply - read one (multi-line) SMTP reply from fd 3
_e2e_smtp_reply() {
	local line
	while IFS= read -r -t 20 line <&3; do
		line=${line%$'\r'}
		case "$line" in
		[45]*) printf '<** %s\n' "$line" ;;
		*) printf '<-  %s\n' "$line" ;;
		esac
		[[ "$line" =~ ^[0-9]{3}- ]] || return 0
	done
	printf '=== timeout or EOF\n'
	return 1
}

# e2e_reply_to ERE - from a transcript on stdin, print the final line of
#	the reply to the first client line matching ERE (e.g. '^RCPT TO:',
#	'^\.$' for end of data), without the "<** " / "<-  " prefix
e2e_reply_to() {
	awk -v re="$1" '
		/^ ?[-~]> / { if (!seen) { l = $0; sub(/^ ?[-~]> /, "", l)
			if (l ~ re) { want = 1 } } next }
		/^<(-|~|\*\*) *[0-9][0-9][0-9] / { if (want && !seen) {
			sub(/^<(-|~|\*\*) */, ""); print; seen = 1 } }'
}

# ---------------------------------------------------------------- Maildirs

# e2e_maildir_add ROOT USER@DOMAIN SIZE [COUNT] - add COUNT (default 1)
#	messages of SIZE bytes to ROOT/DOMAIN/USER/Maildir/cur, named as
#	Dovecot names them (",S=<size>:2,S"); creates the Maildir
e2e_maildir_add() {
	local root=$1 addr=$2 size=$3 count=${4:-1} md i name
	md=$root/${addr#*@}/${addr%@*}/Maildir
	mkdir -p "$md/cur" "$md/new" "$md/tmp"
	for ((i = 1; i <= count; i++)); do
		E2E_MAILDIR_SEQ=$((${E2E_MAILDIR_SEQ:-0} + 1))
		name="1700000000.M${E2E_MAILDIR_SEQ}P1.e2e,S=$size:2,S"
		head -c "$size" /dev/zero | tr '\0' x >"$md/cur/$name"
	done
}

# -------------------------------------------------------- chatmail-policyd

E2E_POLICYD=${E2E_POLICYD:-$top_builddir/postfix-policy/chatmail-policyd}
E2E_CTL=${E2E_CTL:-$top_builddir/postfix-policy/chatmailctl}

# e2e_policyd_conf DIR [KEY=VALUE...] - write DIR/chatmail.conf for a
#	daemon whose files all live in DIR; extra keys override. Sets
#	E2E_CONF. The policy socket is DIR/policy.sock, 0660 root:postfix
#	(Postfix's smtpd runs as postfix), the control socket
#	DIR/control.sock, the dovecot socket DIR/dovecot.sock, the milter
#	socket DIR/milter.sock (0660 root:postfix), the Maildir tree DIR/mail.
e2e_policyd_conf() {
	local d=$1 kv
	shift
	mkdir -p "$d" "$d/mail"
	chmod 0755 "$d"
	E2E_CONF=$d/chatmail.conf
	{
		echo "[chatmail]"
		echo "local_domains = example.org"
		echo "sqlite_path = $d/chatmail.db"
		echo "mail_root = $d/mail"
		echo "policy_socket = $d/policy.sock"
		echo "policy_socket_mode = 0660"
		echo "policy_socket_user ="
		echo "policy_socket_group = postfix"
		echo "control_socket = $d/control.sock"
		echo "control_socket_mode = 0600"
		echo "dovecot_socket = $d/dovecot.sock"
		echo "milter_socket = unix:$d/milter.sock"
		echo "milter_socket_group = postfix"
		echo "log = stderr"
		echo "pid_file = $d/chatmail-policyd.pid"
	} >"$E2E_CONF"
	for kv in "$@"; do
		sed -i "/^${kv%%=*} *=/d" "$E2E_CONF"
		echo "${kv%%=*} = ${kv#*=}" >>"$E2E_CONF"
	done
}

# e2e_ctl ARGS... - chatmailctl against the daemon of E2E_CONF
e2e_ctl() { "$E2E_CTL" -c "$E2E_CONF" "$@"; }

# e2e_ctl_quiet ARGS... - e2e_ctl with no output; a failure is noted
#	(the check after it fails too)
e2e_ctl_quiet() {
	local out
	out=$(e2e_ctl "$@" 2>&1) || {
		e2e_note "chatmailctl $* failed: $out"
		return 1
	}
}

# e2e_stat NAME - the value of that `chatmailctl stats` row
e2e_stat() {
	e2e_ctl stats 2>/dev/null | awk -v n="$1" '
		{ sub(/^\* /, "") } $1 == n { print $NF; exit }'
}

# e2e_policyd_start - start the daemon of E2E_CONF in the foreground
#	(logging to <dir>/policyd.log), wait until the control socket
#	answers and the policy socket exists. Sets E2E_POLICYD_PID.
e2e_policyd_start() {
	local d log
	d=$(dirname "$E2E_CONF")
	log=$d/policyd.log
	"$E2E_POLICYD" -c "$E2E_CONF" --foreground >>"$log" 2>&1 &
	E2E_POLICYD_PID=$!
	e2e_atexit "e2e_policyd_stop"
	E2E_ON_FAIL+=("e2e_tail '$log' 60")
	if ! e2e_wait_for 15 e2e_ctl version; then
		kill -0 "$E2E_POLICYD_PID" 2>/dev/null || E2E_POLICYD_PID=
		return 1
	fi
	local sock
	sock=$(sed -n 's/^policy_socket *= *//p' "$E2E_CONF")
	[ -z "$sock" ] || e2e_wait_for 5 test -S "$sock"
}

# e2e_policyd_stop - SIGTERM the daemon and wait (SIGKILL after 10 s)
e2e_policyd_stop() {
	local pid=${E2E_POLICYD_PID:-} n=100
	[ -n "$pid" ] || return 0
	E2E_POLICYD_PID=
	kill -TERM "$pid" 2>/dev/null || return 0
	while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# e2e_policy_client_build - compile tests/e2e/policy_client.c into the
#	work dir; sets E2E_POLICY_CLIENT (empty when no C compiler)
e2e_policy_client_build() {
	local cc=${CC:-cc}
	E2E_POLICY_CLIENT=
	command -v "$cc" >/dev/null 2>&1 || return 1
	"$cc" -O -o "$E2E_DIR/policy_client" \
		"$top_srcdir/tests/e2e/policy_client.c" || return 1
	# shellcheck disable=SC2034 # read by the tests
	E2E_POLICY_CLIENT=$E2E_DIR/policy_client
}

# e2e_policy_request [ATTR=VALUE...] - print a Postfix policy request
#	(RCPT from a remote client, the attributes Postfix 3.7 sends, in
#	its order) with the given attributes replaced or added; ends with
#	the empty line
e2e_policy_request() {
	local -A a=(
		[request]=smtpd_access_policy [protocol_state]=RCPT
		[protocol_name]=ESMTP [client_address]=127.0.0.1
		[client_name]=localhost [client_port]=40000
		[reverse_client_name]=localhost [server_address]=127.0.0.1
		[server_port]=25 [helo_name]=client.remote.example
		[sender]=someone@remote.example [recipient]=alice@example.org
		[recipient_count]=0 [queue_id]="" [instance]=e2e.0 [size]=0
		[etrn_domain]="" [stress]="" [sasl_method]="" [sasl_username]=""
		[sasl_sender]="" [ccert_subject]="" [ccert_issuer]=""
		[ccert_fingerprint]="" [ccert_pubkey_fingerprint]=""
		[encryption_protocol]="" [encryption_cipher]=""
		[encryption_keysize]=0 [policy_context]=""
	)
	local order="request protocol_state protocol_name client_address
		client_name client_port reverse_client_name server_address
		server_port helo_name sender recipient recipient_count queue_id
		instance size etrn_domain stress sasl_method sasl_username
		sasl_sender ccert_subject ccert_issuer ccert_fingerprint
		ccert_pubkey_fingerprint encryption_protocol encryption_cipher
		encryption_keysize policy_context"
	local kv k
	for kv in "$@"; do
		k=${kv%%=*}
		[[ -v "a[$k]" ]] || order="$order $k"
		a[$k]=${kv#*=}
	done
	for k in $order; do printf '%s=%s\n' "$k" "${a[$k]}"; done
	printf '\n'
}

# ----------------------------------------------------------------- Dovecot

# e2e_dovecot_auth_start DIR USER:PASSWORD... - an auth-only Dovecot
#	(no protocols) with a passwd-file of the given users; its
#	auth-client socket DIR/auth-client is 0660 postfix:postfix, ready for
#	e2e_postfix_sasl_dovecot. Log in DIR/dovecot.log.
e2e_dovecot_auth_start() {
	local d=$1 up
	shift
	mkdir -p "$d/run" "$d/state"
	chmod 0755 "$d"
	: >"$d/passwd"
	for up in "$@"; do
		printf '%s:{PLAIN}%s:65534:65534::%s::\n' \
			"${up%%:*}" "${up#*:}" "$d" >>"$d/passwd"
	done
	chmod 0640 "$d/passwd"
	chgrp dovecot "$d/passwd" 2>/dev/null || chmod 0644 "$d/passwd"
	cat >"$d/dovecot.conf" <<EOF
instance_name = e2e-$(basename "$d")-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/passwd
}
service auth {
  unix_listener $d/auth-client {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service anvil {
  chroot =
}
EOF
	E2E_ON_FAIL+=("e2e_tail '$d/dovecot.log' 30")
	dovecot -c "$d/dovecot.conf" || return 1
	e2e_atexit "e2e_dovecot_stop '$d'"
	e2e_wait_for 10 test -S "$d/auth-client"
}

# e2e_dovecot_stop DIR - stop that Dovecot and wait for it (1-3 s)
e2e_dovecot_stop() {
	local d=$1 pid n=100
	pid=$(cat "$d/run/master.pid" 2>/dev/null)
	doveadm -c "$d/dovecot.conf" stop >/dev/null 2>&1 ||
		{ [ -n "$pid" ] && kill -TERM "$pid"; }
	[ -n "$pid" ] || return 0
	while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# e2e_dovecot_plugin_dir DIR - a mail_plugin_dir for a test Dovecot:
#	Debian's quota plugin and the freshly built lib95_chatmail_plugin.so
#	(linked from the build tree's .libs, never an installed copy)
e2e_dovecot_plugin_dir() {
	local d=$1 so=$top_builddir/dovecot-plugin/.libs/lib95_chatmail_plugin.so
	[ -f "$so" ] || return 1
	mkdir -p "$d"
	ln -sf /usr/lib/dovecot/modules/lib10_quota_plugin.so "$d/"
	ln -sf "$so" "$d/"
}

# e2e_dovecot_lmtp_start DIR PORT MAIL_ROOT - a Dovecot serving LMTP on
#	127.0.0.1:PORT into Maildirs MAIL_ROOT/%d/%n/Maildir (the daemon's
#	default mail_layout), every user accepted (static userdb, uid/gid
#	65534). DIR/extra.conf, when the caller wrote it before, is
#	included last (mail_plugins, plugin { } and the like). Log in
#	DIR/dovecot.log; doveadm -c DIR/dovecot.conf reaches it.
e2e_dovecot_lmtp_start() {
	local d=$1 port=$2 root=$3
	mkdir -p "$d/run" "$d/state" "$root"
	chmod 0755 "$d"
	chown 65534:65534 "$root"
	[ -f "$d/extra.conf" ] || : >"$d/extra.conf"
	cat >"$d/dovecot.conf" <<EOC
instance_name = e2e-$(basename "$d")-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
mail_location = maildir:$root/%d/%n/Maildir
mail_uid = 65534
mail_gid = 65534
first_valid_uid = 1
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$root/%d/%n allow_all_users=yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $port
  }
}
service anvil {
  chroot =
}
!include_try $d/extra.conf
EOC
	E2E_ON_FAIL+=("e2e_tail '$d/dovecot.log' 40")
	dovecot -c "$d/dovecot.conf" || return 1
	e2e_atexit "e2e_dovecot_stop '$d'"
	e2e_wait_for 10 e2e_lmtp_banner "$port"
}

# e2e_lmtp_banner PORT - 0 when an LMTP server greets on 127.0.0.1:PORT
e2e_lmtp_banner() { e2e_smtp_banner "$1"; }
