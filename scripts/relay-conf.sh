# scripts/relay-conf.sh - the configuration of the local relay; sourced.
#
# NAME
#	relay-conf.sh - write the files of a loopback chatmail relay
# DESCRIPTION
#	Used by scripts/relay.sh (and through it by tests/e2e/). Each
#	function writes one component's files under DIR; none starts
#	anything. The layout:
#	  DIR/users.txt             address password (demo users)
#	  DIR/mail/DOMAIN/NAME/Maildir  mail, owned by nobody:nogroup
#	  DIR/policyd/              chatmail.conf, chatmail.db, sockets, log
#	  DIR/dovecot/              dovecot.conf, passwd, modules/, sockets
#	  DIR/postfix/              etc/ (main.cf, master.cf), spool/, data/,
#	                            maillog
#	  DIR/bin/doveadm           doveadm for this relay, with the freshly
#	                            built doveadm chatmail module
#	Mail is stored as nobody:nogroup (uid/gid 65534) so that nothing is
#	added to the host's users. Postfix needs no chroot here: every
#	service runs unchrooted with absolute socket paths.

RELAY_MAIL_ID=65534

# relay_conf_users DIR DOMAIN NAME... - DIR/users.txt with random passwords
#	and Dovecot's passwd-file DIR/dovecot/passwd
relay_conf_users() {
	local d=$1 domain=$2 name pw
	shift 2
	mkdir -p "$d/dovecot" "$d/mail"
	: >"$d/users.txt"
	: >"$d/dovecot/passwd"
	for name in "$@"; do
		pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
		printf '%s@%s %s\n' "$name" "$domain" "$pw" >>"$d/users.txt"
		printf '%s@%s:{PLAIN}%s::::::\n' "$name" "$domain" "$pw" \
			>>"$d/dovecot/passwd"
	done
	chmod 0600 "$d/users.txt"
	chmod 0640 "$d/dovecot/passwd"
	chgrp dovecot "$d/dovecot/passwd" 2>/dev/null ||
		chmod 0644 "$d/dovecot/passwd"
	chown "$RELAY_MAIL_ID:$RELAY_MAIL_ID" "$d/mail"
}

# relay_conf_policyd DIR DOMAIN - DIR/policyd/chatmail.conf
relay_conf_policyd() {
	local d=$1 domain=$2
	mkdir -p "$d/policyd"
	chmod 0755 "$d/policyd"
	cat >"$d/policyd/chatmail.conf" <<EOF
# chatmail-policyd of the local relay (scripts/relay.sh)
[chatmail]
local_domains = $domain
sqlite_path = $d/policyd/chatmail.db
sqlite_in_memory = yes
mail_root = $d/mail
policy_socket = $d/policyd/policy.sock
policy_socket_mode = 0660
policy_socket_user =
policy_socket_group = postfix
milter_socket = unix:$d/policyd/milter.sock
milter_socket_mode = 0660
milter_socket_group = postfix
dovecot_socket = $d/policyd/dovecot.sock
dovecot_socket_mode = 0660
dovecot_socket_group = nogroup
control_socket = $d/policyd/control.sock
control_socket_mode = 0600
log = stderr
pid_file = $d/policyd/chatmail-policyd.pid
EOF
}

# relay_conf_dovecot DIR BUILDDIR IMAP_PORT - DIR/dovecot/dovecot.conf,
#	its module dirs and DIR/bin/doveadm
relay_conf_dovecot() {
	local d=$1 b=$2 port=$3 dd=$1/dovecot
	mkdir -p "$dd/run" "$dd/state" "$dd/modules" "$dd/doveadm-modules" \
		"$d/bin"
	chmod 0755 "$dd"
	# Debian's modules plus the fresh ones (never an installed copy).
	ln -sf /usr/lib/dovecot/modules/*.so "$dd/modules/"
	ln -sf "$b/dovecot-plugin/.libs/lib95_chatmail_plugin.so" "$dd/modules/"
	cp -p /usr/lib/dovecot/modules/doveadm/*.so "$dd/doveadm-modules/" \
		2>/dev/null
	cp "$b/dovecot-plugin/.libs/lib95_doveadm_chatmail_plugin.so" \
		"$dd/doveadm-modules/"
	cat >"$dd/dovecot.conf" <<EOF
# Dovecot of the local relay (scripts/relay.sh)
instance_name = chatmail-relay-$(printf '%s' "$d" | md5sum | cut -c1-8)
base_dir = $dd/run
state_dir = $dd/state
log_path = $dd/dovecot.log
info_log_path = $dd/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Lu
mail_location = maildir:$d/mail/%d/%n/Maildir
mail_uid = $RELAY_MAIL_ID
mail_gid = $RELAY_MAIL_ID
first_valid_uid = 1
mail_plugin_dir = $dd/modules
mail_plugins = quota chatmail
imap_hibernate_timeout = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $dd/passwd
}
userdb {
  driver = static
  args = uid=$RELAY_MAIL_ID gid=$RELAY_MAIL_ID home=$d/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  unix_listener $dd/lmtp {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener $dd/auth-client {
    mode = 0660
    user = postfix
    group = postfix
  }
}
service anvil {
  chroot =
}
protocol lmtp {
  postmaster_address = postmaster@localhost
}
plugin {
  quota = chatmail:User quota
  # the relay's rule: landing exactly on the limit is allowed, over is
  # refused (Dovecot's default grace would let a delivery go 10 % over)
  quota_grace = 0
  chatmail_socket = $d/policyd/dovecot.sock
}
EOF
	cat >"$d/bin/doveadm" <<EOF
#!/bin/sh
# doveadm for the relay in $d: its config, and the freshly built
# doveadm chatmail module in place of the installed module dir (in a
# private mount namespace: nothing on the host changes).
exec unshare -m sh -c 'conf=\$1; shift
	mount --bind "\$0" /usr/lib/dovecot/modules/doveadm &&
	exec doveadm -c "\$conf" "\$@"' "$dd/doveadm-modules" "$dd/dovecot.conf" "\$@"
EOF
	chmod 0755 "$d/bin/doveadm"
}

# relay_conf_postfix DIR DOMAIN SMTP_PORT SUBMISSION_PORT - a Postfix
#	instance in DIR/postfix: inbound smtpd and a submission smtpd, both
#	through the policy service and the milter; local mail over LMTP
relay_conf_postfix() {
	local d=$1 domain=$2 smtp=$3 sub=$4 pd=$1/postfix ps
	mkdir -p "$pd/etc" "$pd/spool" "$pd/data"
	chown root:root "$pd/spool"
	chown postfix:postfix "$pd/data"
	chmod 0755 "$pd" "$pd/etc" "$pd/spool"
	: >"$pd/maillog"
	chmod 0644 "$pd/maillog"
	# Each user may send as itself only (reject_sender_login_mismatch).
	awk '{ print $1, $1 }' "$d/users.txt" >"$pd/etc/senders"
	awk '{ print $1, "OK" }' "$d/users.txt" >"$pd/etc/mailboxes"
	ps="check_policy_service { unix:$d/policyd/policy.sock, default_action=DEFER_IF_PERMIT }"
	cat >"$pd/etc/main.cf" <<EOF
# Postfix of the local relay (scripts/relay.sh)
compatibility_level = 3.6
queue_directory = $pd/spool
data_directory = $pd/data
command_directory = /usr/sbin
daemon_directory = $(postconf -dh daemon_directory)
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pd/maillog
myhostname = relay.$domain
mydomain = $domain
myorigin = $domain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_banner = \$myhostname ESMTP chatmail
smtpd_tls_security_level = none
smtp_tls_security_level = none
# chatmail-policyd's max_message_size (30 MiB) answers first, with its
# own text; Postfix's limit only stops what no policy would see.
message_size_limit = 62914560
virtual_mailbox_domains = $domain
virtual_mailbox_maps = texthash:$pd/etc/mailboxes
virtual_transport = lmtp:unix:$d/dovecot/lmtp
# This demo relay does not send to other hosts.
default_transport = error:5.7.1 this demo relay does not relay outside $domain
relay_transport = \$default_transport
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination, $ps
smtpd_end_of_data_restrictions = $ps
smtpd_milters = unix:$d/policyd/milter.sock
non_smtpd_milters = \$smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
EOF
	cat >"$pd/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$smtp inet n  -       n       -       -       smtpd
127.0.0.1:$sub inet n   -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=$d/dovecot/auth-client
  -o smtpd_sasl_security_options=noanonymous
  -o smtpd_tls_auth_only=no
  -o smtpd_sender_login_maps=texthash:$pd/etc/senders
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
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
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}
