## shared/local.mk - libchatmail (plain C11 + libsqlite3 + pthreads)
noinst_LTLIBRARIES += shared/libchatmail.la
shared_libchatmail_la_CFLAGS = $(CM_CFLAGS) $(SQLITE_CFLAGS)
shared_libchatmail_la_LIBADD = $(SQLITE_LIBS) $(PTHREAD_LIBS)
shared_libchatmail_la_SOURCES = \
	shared/cm_error.c shared/cm_error.h \
	shared/cm_store.c shared/cm_store.h shared/cm_store_private.h \
	shared/cm_settings.c shared/cm_settings.h \
	shared/cm_quotas.c shared/cm_quotas.h \
	shared/cm_blocklist.c shared/cm_blocklist.h \
	shared/cm_cidr.c shared/cm_cidr.h \
	shared/cm_tokens.c shared/cm_tokens.h \
	shared/cm_federation.c shared/cm_federation.h \
	shared/cm_counters.c shared/cm_counters.h \
	shared/cm_hot.c shared/cm_hot.h \
	shared/cm_strmap.c shared/cm_strmap.h \
	shared/cm_maildir.c shared/cm_maildir.h \
	shared/cm_layout.c shared/cm_layout.h \
	shared/cm_hydrate.c shared/cm_hydrate.h \
	shared/cm_flusher.c shared/cm_flusher.h \
	shared/cm_policy_codec.c shared/cm_policy_codec.h \
	shared/cm_policy.c shared/cm_policy.h \
	shared/cm_blockset.c shared/cm_blockset.h \
	shared/cm_pct.c shared/cm_pct.h \
	shared/cm_ctl_codec.c shared/cm_ctl_codec.h
# The dovecot protocol (issue #5): also compiled into the Dovecot plugins.
shared_libchatmail_la_SOURCES += shared/cm_dove_codec.c shared/cm_dove_codec.h
# The encryption gate's decisions and their unit test (issue #4).
shared_libchatmail_la_SOURCES += shared/cm_gate.c shared/cm_gate.h
