## postfix-policy/local.mk - chatmail-policyd (GLib daemon); see issue #3
