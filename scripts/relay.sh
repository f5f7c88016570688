#!/usr/bin/env bash
# scripts/relay.sh - a complete local chatmail relay on loopback.
#
# SYNOPSIS
#	scripts/relay.sh [start] [--dir DIR] [--builddir DIR] [--users "a b c"]
#	scripts/relay.sh stop|status [--dir DIR]
# DESCRIPTION
#	start: on Debian 12 as root, installs the packages it lacks
#	(apt-get, idempotent), builds chatmail-plugins without sanitizers
#	in _build/relay (or uses --builddir), and starts in DIR (default
#	/var/tmp/chatmail-relay; a relay already there is stopped and
#	replaced, anything else there is refused):
#	  - chatmail-policyd on embedded SQLite (DIR/policyd), serving the
#	    policy service, the milter, the Dovecot socket and the control
#	    socket;
#	  - Dovecot (DIR/dovecot): IMAP, LMTP and SASL for Postfix, with
#	    mail_plugins = quota chatmail (quota backend chatmail, instant
#	    IDLE) and the doveadm chatmail commands;
#	  - Postfix (DIR/postfix): port-25-style inbound SMTP and a
#	    submission port with SASL through Dovecot, both with the policy
#	    service and the milter; local mail goes over LMTP to Dovecot.
#	Everything listens on 127.0.0.1 only. Demo users (default alice, bob,
#	carol @ example.org) get random passwords, written to DIR/users.txt.
#	It ends by printing how to send and read mail and how to stop.
#
#	stop: stops the relay in DIR and leaves its files (mail, logs).
#	status: says what of it is running.
# ENVIRONMENT
#	RELAY_SMTP_PORT (2525), RELAY_SUBMISSION_PORT (5870),
#	RELAY_IMAP_PORT (1143), RELAY_DOMAIN (example.org).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/deps.sh"
. "$top/scripts/relay-conf.sh"
. "$top/scripts/port.sh"

relay_usage() {
	echo "usage: scripts/relay.sh [start|stop|status] [--dir DIR]" \
	     "[--builddir DIR] [--users \"NAME...\"]" >&2
	exit 2
}

relay_die() { echo "relay: $*" >&2; exit 1; }

# relay_build - build (or check) the binaries; sets RELAY_BUILD
relay_build() {
	local jobs
	if [ -n "$RELAY_BUILD" ]; then
		RELAY_BUILD=$(cd "$RELAY_BUILD" && pwd) ||
			relay_die "--builddir: no such directory"
	else
		RELAY_BUILD=$top/_build/relay
		jobs=$(nproc 2>/dev/null || echo 2)
		(cd "$top" &&
		 if [ ! -x configure ] || [ configure.ac -nt configure ] \
		    || [ Makefile.am -nt configure ]; then
			echo "relay: autoreconf"
			autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
		 fi) || relay_die "autoreconf failed"
		[ ! -f "$top/config.status" ] ||
			relay_die "$top is configured in place; run" \
				  "'make distclean' there first"
		mkdir -p "$RELAY_BUILD"
		if [ ! -f "$RELAY_BUILD/Makefile" ]; then
			echo "relay: configure (in $RELAY_BUILD)"
			(cd "$RELAY_BUILD" && "$top/configure" -q \
				--with-dovecot=/usr/lib/dovecot) ||
				relay_die "configure failed"
		fi
		echo "relay: build"
		make -C "$RELAY_BUILD" -s -j"$jobs" >/dev/null ||
			make -C "$RELAY_BUILD" -s ||
			relay_die "the build failed"
	fi
	local f
	for f in postfix-policy/chatmail-policyd postfix-policy/chatmailctl \
		 dovecot-plugin/.libs/lib95_chatmail_plugin.so \
		 dovecot-plugin/.libs/lib95_doveadm_chatmail_plugin.so; do
		[ -e "$RELAY_BUILD/$f" ] || relay_die "$RELAY_BUILD/$f is missing"
	done
}

# relay_traversable DIR - every parent must be world-traversable
relay_traversable() {
	local d=$1
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		[[ "$(stat -c %A "$d" | cut -c10)" == [xt] ]] ||
			relay_die "$d is not world-traversable (the postfix and" \
				  "dovecot users must reach $RELAY_DIR)"
	done
}

# relay_policyd_up - the daemon answers on its control socket (-s: no
#	read-only fallback to the database) and its Postfix sockets exist
relay_policyd_up() {
	local p=$RELAY_DIR/policyd
	"$RELAY_BUILD/postfix-policy/chatmailctl" -s "$p/control.sock" \
		version >/dev/null 2>&1 &&
		[ -S "$p/policy.sock" ] && [ -S "$p/milter.sock" ] &&
		[ -S "$p/dovecot.sock" ]
}

# relay_wait SECONDS COMMAND... - poll every 0.1 s until it succeeds
relay_wait() {
	local n=$(($1 * 10))
	shift
	while ((n-- > 0)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# relay_banner PORT - 0 when an SMTP server greets on 127.0.0.1:PORT
relay_banner() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	IFS= read -r -t 5 line <&3
	printf 'QUIT\r\n' >&3
	exec 3>&-
	[[ "$line" == 220* ]]
}

# relay_stop - stop whatever of the relay in RELAY_DIR runs (newest first)
relay_stop() {
	local pid n
	[ -f "$RELAY_DIR/.chatmail-relay" ] || return 0
	if [ -f "$RELAY_DIR/postfix/etc/main.cf" ]; then
		postfix -c "$RELAY_DIR/postfix/etc" stop >/dev/null 2>&1
	fi
	pid=$(cat "$RELAY_DIR/dovecot/run/master.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		doveadm -c "$RELAY_DIR/dovecot/dovecot.conf" stop \
			>/dev/null 2>&1 || kill -TERM "$pid"
		n=100
		while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	pid=$(cat "$RELAY_DIR/policyd/chatmail-policyd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		n=150
		while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	return 0
}

# relay_status - one line per component; 0 when all run
relay_status() {
	local ok=0 pid
	[ -f "$RELAY_DIR/.chatmail-relay" ] ||
		{ echo "no relay in $RELAY_DIR"; return 1; }
	pid=$(cat "$RELAY_DIR/policyd/chatmail-policyd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "chatmail-policyd: running (pid $pid)"
	else
		echo "chatmail-policyd: stopped"; ok=1
	fi
	pid=$(cat "$RELAY_DIR/dovecot/run/master.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "dovecot: running (pid $pid)"
	else
		echo "dovecot: stopped"; ok=1
	fi
	if postfix -c "$RELAY_DIR/postfix/etc" status >/dev/null 2>&1; then
		echo "postfix: running"
	else
		echo "postfix: stopped"; ok=1
	fi
	return $ok
}

# relay_prepare - stop and remove an earlier relay, make the directory
relay_prepare() {
	if [ -e "$RELAY_DIR" ]; then
		if [ -f "$RELAY_DIR/.chatmail-relay" ]; then
			echo "relay: replacing the relay in $RELAY_DIR"
			relay_stop
			rm -rf -- "$RELAY_DIR"
		elif [ -n "$(ls -A "$RELAY_DIR" 2>/dev/null)" ]; then
			relay_die "$RELAY_DIR exists and is not a relay made by" \
				  "this script; choose another --dir"
		fi
	fi
	mkdir -p "$RELAY_DIR" || relay_die "cannot create $RELAY_DIR"
	chmod 0755 "$RELAY_DIR"
	relay_traversable "$RELAY_DIR"
	touch "$RELAY_DIR/.chatmail-relay"
}

# relay_start_all - write the configs and start the three services
relay_start_all() {
	local port
	for port in "$RELAY_SMTP_PORT" "$RELAY_SUBMISSION_PORT" \
		    "$RELAY_IMAP_PORT"; do
		port_free "$port" ||
			relay_die "127.0.0.1:$port is in use (set RELAY_*_PORT)"
	done
	relay_conf_users "$RELAY_DIR" "$RELAY_DOMAIN" $RELAY_USERS
	relay_conf_policyd "$RELAY_DIR" "$RELAY_DOMAIN"
	relay_conf_dovecot "$RELAY_DIR" "$RELAY_BUILD" "$RELAY_IMAP_PORT"
	relay_conf_postfix "$RELAY_DIR" "$RELAY_DOMAIN" "$RELAY_SMTP_PORT" \
		"$RELAY_SUBMISSION_PORT"

	"$RELAY_BUILD/postfix-policy/chatmail-policyd" \
		-c "$RELAY_DIR/policyd/chatmail.conf" --foreground \
		>>"$RELAY_DIR/policyd/policyd.log" 2>&1 </dev/null &
	# --foreground writes no pid_file: relay_stop and relay_status need it
	echo $! >"$RELAY_DIR/policyd/chatmail-policyd.pid"
	disown
	relay_wait 20 relay_policyd_up ||
		relay_fail "chatmail-policyd did not start" policyd/policyd.log
	dovecot -c "$RELAY_DIR/dovecot/dovecot.conf" </dev/null \
		>>"$RELAY_DIR/dovecot/dovecot.log" 2>&1 ||
		relay_fail "dovecot did not start" dovecot/dovecot.log
	relay_wait 15 test -S "$RELAY_DIR/dovecot/lmtp" ||
		relay_fail "dovecot's LMTP socket did not appear" \
			   dovecot/dovecot.log
	postfix -c "$RELAY_DIR/postfix/etc" check ||
		relay_fail "postfix check failed" postfix/maillog
	postfix -c "$RELAY_DIR/postfix/etc" start </dev/null >/dev/null 2>&1 ||
		relay_fail "postfix did not start" postfix/maillog
	relay_wait 15 relay_banner "$RELAY_SMTP_PORT" ||
		relay_fail "postfix does not answer on $RELAY_SMTP_PORT" \
			   postfix/maillog
}

# relay_fail WHAT LOG - show the log's tail, stop what started, exit 1
relay_fail() {
	echo "relay: $1; the end of $RELAY_DIR/$2:" >&2
	tail -n 20 "$RELAY_DIR/$2" >&2 2>/dev/null
	relay_stop
	exit 1
}

# relay_howto - what to do with the running relay
relay_howto() {
	local ctl="$RELAY_BUILD/postfix-policy/chatmailctl -c $RELAY_DIR/policyd/chatmail.conf"
	local first second
	first=$(awk 'NR == 1 { print $1 }' "$RELAY_DIR/users.txt")
	second=$(awk 'NR == 2 { print $1 }' "$RELAY_DIR/users.txt")
	cat <<EOF

chatmail relay running in $RELAY_DIR (everything on 127.0.0.1)

  SMTP inbound (port-25 style) 127.0.0.1:$RELAY_SMTP_PORT
  SMTP submission (SASL PLAIN) 127.0.0.1:$RELAY_SUBMISSION_PORT   (no TLS: loopback only)
  IMAP                         127.0.0.1:$RELAY_IMAP_PORT

Users (address password), also in $RELAY_DIR/users.txt:
$(sed 's/^/  /' "$RELAY_DIR/users.txt")

Send (only OpenPGP/MIME encrypted mail passes; plaintext gets 523 5.7.10):
  swaks --server 127.0.0.1:$RELAY_SUBMISSION_PORT --auth PLAIN \\
        --auth-user $first --auth-password "\$(awk '\$1 == "$first" { print \$2 }' $RELAY_DIR/users.txt)" \\
        --from $first --to $second --data message.eml
Read:
  IMAP LOGIN as any user above, or:
  $RELAY_DIR/bin/doveadm quota get -u $second
  $RELAY_DIR/bin/doveadm chatmail quota
  $ctl stats
Logs:
  $RELAY_DIR/postfix/maillog  $RELAY_DIR/dovecot/dovecot.log  $RELAY_DIR/policyd/policyd.log
Stop:
  $top/scripts/relay.sh stop --dir $RELAY_DIR
EOF
}

RELAY_CMD=start
RELAY_DIR=/var/tmp/chatmail-relay
RELAY_BUILD=
RELAY_USERS="alice bob carol"
: "${RELAY_SMTP_PORT:=2525}" "${RELAY_SUBMISSION_PORT:=5870}"
: "${RELAY_IMAP_PORT:=1143}" "${RELAY_DOMAIN:=example.org}"
while [ $# -gt 0 ]; do
	case $1 in
	start|stop|status) RELAY_CMD=$1 ;;
	--dir) [ $# -ge 2 ] || relay_usage; RELAY_DIR=$2; shift ;;
	--builddir) [ $# -ge 2 ] || relay_usage; RELAY_BUILD=$2; shift ;;
	--users) [ $# -ge 2 ] || relay_usage; RELAY_USERS=$2; shift ;;
	*) relay_usage ;;
	esac
	shift
done
case $RELAY_DIR in /*) ;; *) RELAY_DIR=$PWD/$RELAY_DIR ;; esac

case $RELAY_CMD in
stop) relay_stop; echo "relay: stopped (files kept in $RELAY_DIR)" ;;
status) relay_status ;;
start)
	[ "$(id -u)" = 0 ] || relay_die "run as root (it starts Postfix and" \
		"Dovecot and may install packages)"
	cm_deps_install build relay || exit 1
	relay_build
	relay_prepare
	relay_start_all
	relay_howto
	;;
esac
