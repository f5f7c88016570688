## bench/local.mk - benchmarks (built by make, run by "make bench")
BENCH_PROGS = bench/hydrate bench/policy
noinst_PROGRAMS += $(BENCH_PROGS)
bench_hydrate_SOURCES = bench/hydrate.c
bench_hydrate_CFLAGS = $(CM_CFLAGS) $(SQLITE_CFLAGS) -O2
bench_hydrate_LDADD = shared/libchatmail.la $(SQLITE_LIBS) $(PTHREAD_LIBS)
bench_policy_SOURCES = bench/policy.c bench/policy_load.c \
	bench/policy_servers.c bench/policy.h
bench_policy_CFLAGS = $(CM_CFLAGS) -O2
bench_policy_LDADD = $(PTHREAD_LIBS)

# bench/idle: delivery-to-IDLE latency, the chatmail plugin (built here)
# against stock Dovecot; bench/idle.sh starts and stops the two Dovecots.
BENCH_PROGS += bench/idle
bench_idle_SOURCES = bench/idle.c
bench_idle_CPPFLAGS = $(AM_CPPFLAGS) \
	-DIDLE_SCRIPT='"$(abs_top_srcdir)/bench/idle.sh"' \
	-DIDLE_PLUGIN='"$(abs_top_builddir)/dovecot-plugin/.libs/lib95_chatmail_plugin.so"'
bench_idle_CFLAGS = $(CM_CFLAGS) -O2
EXTRA_DIST += bench/idle.sh

# bench/relay: messages/s through the whole relay (scripts/relay.sh) with
# smtp-source, with and without chatmail; bench/relay.sh does the work.
BENCH_PROGS += bench/relay
bench_relay_SOURCES = bench/relay.c
bench_relay_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRELAY_SCRIPT='"$(abs_top_srcdir)/bench/relay.sh"' \
	-DRELAY_BUILDDIR='"$(abs_top_builddir)"'
bench_relay_CFLAGS = $(CM_CFLAGS) -O2
EXTRA_DIST += bench/relay.sh

# bench/milter_noop: a do-nothing libmilter milter with the gate's steps,
# for bench/relay.sh --floor (what libmilter alone costs the relay); a
# helper, not a benchmark, so not in BENCH_PROGS ("make bench" runs those).
noinst_PROGRAMS += bench/milter_noop
bench_milter_noop_SOURCES = bench/milter_noop.c
bench_milter_noop_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/postfix-policy
bench_milter_noop_CFLAGS = $(CM_CFLAGS) -O2
bench_milter_noop_LDADD = $(MILTER_LIBS)
