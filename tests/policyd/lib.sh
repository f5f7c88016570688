# tests/policyd/lib.sh - start and stop a throwaway chatmail-policyd.
# Sourced by the daemon tests; needs top_builddir (automake exports it).

: "${top_builddir:=.}"
POLICYD=$top_builddir/postfix-policy/chatmail-policyd
CTL=$top_builddir/postfix-policy/chatmailctl
SOCK_TOOL=$top_builddir/tests/tools/cm_sock

# pd_setup DIR [extra config lines...]: config, a Maildir fixture
pd_setup() {
	PD_DIR=$1; shift
	mkdir -p "$PD_DIR/mail/example.org/bob/Maildir/cur" \
		"$PD_DIR/mail/example.org/bob/Maildir/new" \
		"$PD_DIR/mail/example.org/carol/Maildir/cur"
	: > "$PD_DIR/mail/example.org/bob/Maildir/cur/1700000000.M1P1.host,S=1000:2,S"
	: > "$PD_DIR/mail/example.org/carol/Maildir/cur/1700000001.M1P1.host,S=250:2,S"
	{
		echo "[chatmail]"
		echo "local_domains = example.org"
		echo "sqlite_path = $PD_DIR/chatmail.db"
		echo "mail_root = $PD_DIR/mail"
		echo "policy_socket = $PD_DIR/policy.sock"
		echo "policy_socket_user ="
		echo "policy_socket_group ="
		echo "control_socket = $PD_DIR/control.sock"
		echo "dovecot_socket = $PD_DIR/dovecot.sock"
		echo "milter_socket = unix:$PD_DIR/milter.sock"
		echo "milter_socket_group ="
		echo "log = stderr"
		for line in "$@"; do echo "$line"; done
	} > "$PD_DIR/chatmail.conf"
	PD_CONF=$PD_DIR/chatmail.conf
}

# pd_start: run the daemon in the foreground (background job), wait
pd_start() {
	"$POLICYD" -c "$PD_CONF" --foreground 2>>"$PD_DIR/daemon.log" &
	PD_PID=$!
	for _ in $(seq 1 100); do
		[ -S "$PD_DIR/control.sock" ] && "$CTL" -c "$PD_CONF" version \
			>/dev/null 2>&1 && return 0
		kill -0 "$PD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "chatmail-policyd did not start:" >&2
	tail -n 20 "$PD_DIR/daemon.log" >&2
	return 1
}

# pd_stop: SIGTERM and wait; returns the daemon's exit status
pd_stop() {
	[ -n "${PD_PID:-}" ] || return 0
	kill -TERM "$PD_PID" 2>/dev/null
	wait "$PD_PID"
	local rc=$?
	PD_PID=
	return $rc
}

# pd_ctl ARGS...: chatmailctl against the test config
pd_ctl() {
	"$CTL" -c "$PD_CONF" "$@"
}
