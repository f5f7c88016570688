## packaging/local.mk - systemd unit and an example configuration
dist_noinst_DATA = packaging/chatmail-policyd.service packaging/chatmail.conf
