#!/bin/bash
# bench/idle.sh - start/stop the two throwaway Dovecots of bench/idle
#
# Usage:
#	idle.sh start DIR PLUGIN_SO [hibernate]
#	idle.sh stop DIR
#
# "start" writes two Dovecot instances under DIR (which must exist, be
# empty and have world-traversable parents):
#	DIR/stock     stock Debian Dovecot, no mail plugins at all
#	DIR/chatmail  mail_plugins = quota chatmail, loading PLUGIN_SO (the
#	              freshly built lib95_chatmail_plugin.so) and Dovecot's
#	              own lib10_quota_plugin.so from DIR/chatmail/modules
# Each has its own base_dir, state_dir, log (DIR/NAME/dovecot.log), one
# passwd-file user "bench" (password "bench", uid/gid 65534, Maildir in
# DIR/NAME/home/Maildir) and IMAP + LMTP listeners on free 127.0.0.1
# ports. With "hibernate" both set imap_hibernate_timeout = 1s and log
# the imap_client_hibernated event. The chatmail instance uses the quota
# root "chatmail:User quota" (with no daemon behind it) when PLUGIN_SO
# registers a quota backend, else no quota root. On success it prints
# one line per instance, "NAME IMAP_PORT LMTP_PORT", and "quota ROOT";
# on failure the log tails go to stderr and the exit status is 1.
#
# "stop" stops both and waits for them (Dovecot takes 1-3 s).
#
# For manual checks: IDLE_MAIL_LOCATION replaces mail_location in both
# (default maildir:~/Maildir; e.g. sdbox:~/sdbox shows the plugin leaves
# other storages alone) and IDLE_CHATMAIL_CONF is appended to the
# chatmail instance's config (e.g. 'plugin { chatmail_idle = no }').
set -u

die() {
	echo "idle.sh: $*" >&2
	exit 1
}

# idle_port_free PORT - true when no TCP socket listens on PORT
idle_port_free() {
	[ -z "$(ss -Htln "sport = :$1")" ]
}

# idle_ports - print two free TCP ports
idle_ports() {
	local n=0 p
	while ((n++ < 200)); do
		p=$((20000 + RANDOM % 40000))
		idle_port_free "$p" && idle_port_free "$((p + 1))" &&
			{ echo "$p $((p + 1))"; return 0; }
	done
	return 1
}

# idle_conf NAME DIR IMAP LMTP PLUGINS HIBERNATE - write DIR/dovecot.conf
idle_conf() {
	local name=$1 d=$2 imap=$3 lmtp=$4 plugins=$5 hib=$6
	cat >"$d/dovecot.conf" <<EOF
instance_name = bench-idle-$name-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = ${IDLE_MAIL_LOCATION:-maildir:~/Maildir}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $d/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%n $d/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
service anvil {
  chroot =
}
EOF
	if [ -n "$plugins" ]; then
		cat >>"$d/dovecot.conf" <<EOF
mail_plugin_dir = $d/modules
mail_plugins = $plugins
$IDLE_QUOTA_CONF
${IDLE_CHATMAIL_CONF:-}
EOF
	fi
	if [ "$hib" = hibernate ]; then
		cat >>"$d/dovecot.conf" <<EOF
imap_hibernate_timeout = 1s
log_debug = event=imap_client_hibernated
service imap {
  unix_listener imap-master {
    mode = 0666
  }
}
service imap-hibernate {
  unix_listener imap-hibernate {
    mode = 0666
  }
}
EOF
	fi
}

# idle_start_one NAME DIR PLUGINS HIBERNATE - configure and start one
idle_start_one() {
	local name=$1 d=$2 plugins=$3 hib=$4 ports n=100
	ports=$(idle_ports) || die "no free ports"
	mkdir -p "$d/run" "$d/state" "$d/home"
	chmod 0755 "$d"
	chown 65534:65534 "$d/home"
	printf 'bench:{PLAIN}bench:65534:65534::%s/home::\n' "$d" >"$d/passwd"
	chmod 0644 "$d/passwd"
	idle_conf "$name" "$d" ${ports% *} ${ports#* } "$plugins" "$hib"
	dovecot -c "$d/dovecot.conf" || return 1
	while ((n-- > 0)); do
		if ! idle_port_free "${ports% *}" &&
		   ! idle_port_free "${ports#* }"; then
			echo "$name $ports"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# idle_stop_one DIR - stop one instance, wait until its master is gone
idle_stop_one() {
	local d=$1 pid n=100
	[ -f "$d/dovecot.conf" ] || return 0
	pid=$(cat "$d/run/master.pid" 2>/dev/null)
	doveadm -c "$d/dovecot.conf" stop >/dev/null 2>&1 ||
		{ [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; }
	[ -n "$pid" ] || return 0
	while ((n-- > 0)) && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null
}

idle_fail() {
	local d
	for d in "$1/stock" "$1/chatmail"; do
		[ -f "$d/dovecot.log" ] || continue
		echo "== $d/dovecot.log" >&2
		tail -n 20 "$d/dovecot.log" >&2
	done
	idle_stop_one "$1/stock"
	idle_stop_one "$1/chatmail"
	exit 1
}

case "${1:-}" in
start)
	[ $# -ge 3 ] || die "usage: idle.sh start DIR PLUGIN_SO [hibernate]"
	dir=$2 so=$3 hib=${4:-}
	[ -d "$dir" ] || die "$dir: no such directory"
	[ -f "$so" ] || die "$so: no such plugin"
	case $so in /*) ;; *) so=$PWD/$so ;; esac
	mkdir -p "$dir/stock" "$dir/chatmail/modules"
	ln -sf "$so" "$dir/chatmail/modules/lib95_chatmail_plugin.so"
	ln -sf /usr/lib/dovecot/modules/lib10_quota_plugin.so \
		"$dir/chatmail/modules/lib10_quota_plugin.so"
	if nm -D --undefined-only "$so" 2>/dev/null |
	   grep -q ' quota_backend_register$'; then
		IDLE_QUOTA_CONF="plugin {
  quota = chatmail:User quota
  chatmail_socket = $dir/chatmail/no-daemon.sock
}"
		quota="chatmail:User quota (no daemon)"
	else
		IDLE_QUOTA_CONF=
		quota="none (plugin has no quota backend yet)"
	fi
	idle_start_one stock "$dir/stock" "" "$hib" || idle_fail "$dir"
	idle_start_one chatmail "$dir/chatmail" "quota chatmail" "$hib" ||
		idle_fail "$dir"
	echo "quota $quota"
	;;
stop)
	[ $# -ge 2 ] || die "usage: idle.sh stop DIR"
	rc=0
	idle_stop_one "$2/stock" || rc=1
	idle_stop_one "$2/chatmail" || rc=1
	exit $rc
	;;
*)
	die "usage: idle.sh start DIR PLUGIN_SO [hibernate] | stop DIR"
	;;
esac
