## postfix-policy/local.mk - chatmail-policyd (GLib daemon) and chatmailctl
POLICYD_CFLAGS = $(CM_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS)
POLICYD_LIBS = $(GLIB_LIBS) $(SQLITE_LIBS) $(PTHREAD_LIBS)

noinst_LTLIBRARIES += postfix-policy/libpolicyd.la
postfix_policy_libpolicyd_la_CFLAGS = $(POLICYD_CFLAGS)
postfix_policy_libpolicyd_la_LIBADD = shared/libchatmail.la $(POLICYD_LIBS)
postfix_policy_libpolicyd_la_SOURCES = \
	postfix-policy/policyd.h \
	postfix-policy/policyd_config.c postfix-policy/policyd_config.h \
	postfix-policy/policyd_log.c postfix-policy/policyd_log.h \
	postfix-policy/policyd_server.c postfix-policy/policyd_server.h \
	postfix-policy/policyd_listen.c \
	postfix-policy/policyd_state.c \
	postfix-policy/policyd_policy.c \
	postfix-policy/policyd_worker.c postfix-policy/policyd_worker.h \
	postfix-policy/policyd_control.c \
	postfix-policy/policyd_dovecot.c \
	postfix-policy/policyd_ctl.c postfix-policy/policyd_ctl.h \
	postfix-policy/policyd_ctl_private.h \
	postfix-policy/policyd_cmd.c

sbin_PROGRAMS = postfix-policy/chatmail-policyd
postfix_policy_chatmail_policyd_SOURCES = postfix-policy/policyd_main.c
postfix_policy_chatmail_policyd_CFLAGS = $(POLICYD_CFLAGS)
postfix_policy_chatmail_policyd_LDADD = postfix-policy/libpolicyd.la \
	shared/libchatmail.la $(POLICYD_LIBS)

bin_PROGRAMS = postfix-policy/chatmailctl
postfix_policy_chatmailctl_SOURCES = postfix-policy/chatmailctl.c
postfix_policy_chatmailctl_CFLAGS = $(POLICYD_CFLAGS)
postfix_policy_chatmailctl_LDADD = postfix-policy/libpolicyd.la \
	shared/libchatmail.la $(POLICYD_LIBS)

# The encryption gate's milter (issue #4): Debian's libmilter.
POLICYD_LIBS += $(MILTER_LIBS)
postfix_policy_libpolicyd_la_SOURCES += \
	postfix-policy/policyd_milter.c postfix-policy/policyd_milter.h \
	postfix-policy/policyd_milter_cb.c \
	postfix-policy/policyd_milter_private.h \
	postfix-policy/policyd_milter_steps.h
