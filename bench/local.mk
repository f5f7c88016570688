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
