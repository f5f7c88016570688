## tests/local.mk - cmocka unit tests (one program per module) and fuzzers
CM_TEST_CFLAGS = $(CM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
CM_TEST_LDADD = shared/libchatmail.la $(CMOCKA_LIBS) $(SQLITE_LIBS) $(PTHREAD_LIBS)

CM_UNIT_TESTS = \
	tests/shared/test_cm_error \
	tests/shared/test_cm_store \
	tests/shared/test_cm_settings \
	tests/shared/test_cm_tables \
	tests/shared/test_cm_cidr \
	tests/shared/test_cm_hot \
	tests/shared/test_cm_maildir \
	tests/shared/test_cm_layout \
	tests/shared/test_cm_hydrate \
	tests/shared/test_cm_flusher \
	tests/shared/test_cm_memory \
	tests/shared/test_cm_policy_codec \
	tests/shared/test_cm_ctl_codec \
	tests/shared/test_cm_blockset \
	tests/shared/test_cm_strmap \
	tests/shared/test_cm_policy
check_PROGRAMS += $(CM_UNIT_TESTS)
TESTS += $(CM_UNIT_TESTS) tests/bench_smoke.sh
EXTRA_DIST += tests/bench_smoke.sh tests/shared/test_util.h
AM_TESTS_ENVIRONMENT = \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0; export ASAN_OPTIONS; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; export UBSAN_OPTIONS;

tests_shared_test_cm_error_SOURCES = tests/shared/test_cm_error.c
tests_shared_test_cm_error_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_error_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_store_SOURCES = tests/shared/test_cm_store.c
tests_shared_test_cm_store_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_store_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_settings_SOURCES = tests/shared/test_cm_settings.c
tests_shared_test_cm_settings_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_settings_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_tables_SOURCES = tests/shared/test_cm_tables.c
tests_shared_test_cm_tables_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_tables_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_cidr_SOURCES = tests/shared/test_cm_cidr.c
tests_shared_test_cm_cidr_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_cidr_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_hot_SOURCES = tests/shared/test_cm_hot.c
tests_shared_test_cm_hot_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_hot_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_maildir_SOURCES = tests/shared/test_cm_maildir.c
tests_shared_test_cm_maildir_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_maildir_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_layout_SOURCES = tests/shared/test_cm_layout.c
tests_shared_test_cm_layout_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_layout_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_hydrate_SOURCES = tests/shared/test_cm_hydrate.c
tests_shared_test_cm_hydrate_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_hydrate_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_flusher_SOURCES = tests/shared/test_cm_flusher.c
tests_shared_test_cm_flusher_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_flusher_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_memory_SOURCES = tests/shared/test_cm_memory.c
tests_shared_test_cm_memory_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_memory_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_policy_codec_SOURCES = tests/shared/test_cm_policy_codec.c
tests_shared_test_cm_policy_codec_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_policy_codec_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_ctl_codec_SOURCES = tests/shared/test_cm_ctl_codec.c
tests_shared_test_cm_ctl_codec_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_ctl_codec_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_blockset_SOURCES = tests/shared/test_cm_blockset.c
tests_shared_test_cm_blockset_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_blockset_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_strmap_SOURCES = tests/shared/test_cm_strmap.c
tests_shared_test_cm_strmap_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_strmap_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_policy_SOURCES = tests/shared/test_cm_policy.c
tests_shared_test_cm_policy_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_policy_LDADD = $(CM_TEST_LDADD)

# libFuzzer targets: "make fuzz" builds them with clang, "make fuzz-run"
# runs each for FUZZ_SECONDS (default 20) from its seed corpus.
FUZZ_NAMES = fuzz_cm_cidr fuzz_cm_maildir_name fuzz_cm_layout fuzz_cm_settings \
	fuzz_cm_policy_codec fuzz_cm_ctl_codec
FUZZ_SECONDS = 20
FUZZ_FLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -I$(top_srcdir)/shared -I$(top_builddir)
FUZZ_LIB_SRCS = $(filter %.c,$(shared_libchatmail_la_SOURCES) \
	$(shared_libcmpgp_la_SOURCES))
EXTRA_DIST += $(FUZZ_NAMES:%=tests/fuzz/%.c) tests/fuzz/corpus
CLEANFILES += $(FUZZ_NAMES:%=tests/fuzz/%)

tests/fuzz/fuzz_%: $(top_srcdir)/tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRCS:%=$(top_srcdir)/%)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $^ $(SQLITE_LIBS) -pthread -o $@

if HAVE_FUZZER
fuzz: $(FUZZ_NAMES:%=tests/fuzz/%)
fuzz-run: fuzz
	@for f in $(FUZZ_NAMES); do \
	  corpus=tests/fuzz/corpus-run/$$f; rm -rf $$corpus; $(MKDIR_P) $$corpus; \
	  if test -d $(top_srcdir)/tests/fuzz/corpus/$$f; then cp $(top_srcdir)/tests/fuzz/corpus/$$f/* $$corpus/ 2>/dev/null; fi; \
	  echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
	  ./tests/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=0 \
	    -artifact_prefix=tests/fuzz/$$f- $$corpus >tests/fuzz/$$f.log 2>&1 \
	    || { tail -n 40 tests/fuzz/$$f.log; echo "fuzz: $$f FAILED"; exit 1; }; \
	  grep -E '^Done [0-9]+ runs' tests/fuzz/$$f.log | tail -n 1; \
	done
else
fuzz fuzz-run:
	@echo "fuzz: clang with libFuzzer not found (apt-get install clang libclang-rt-14-dev); skipped"
endif
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/corpus-run tests/fuzz/*.log
.PHONY: fuzz fuzz-run clean-fuzz

# The daemon, run for real: transcripts and process-level behaviour.
check_PROGRAMS += tests/tools/cm_sock
tests_tools_cm_sock_SOURCES = tests/tools/cm_sock.c
tests_tools_cm_sock_CFLAGS = $(CM_CFLAGS)
TESTS += tests/policyd/test_scenarios.sh tests/policyd/test_daemon.sh
EXTRA_DIST += tests/policyd/lib.sh tests/policyd/test_scenarios.sh \
	tests/policyd/test_daemon.sh tests/scenarios

# Benchmark smoke run and the real-Postfix end-to-end test (root only;
# skips with exit 77 elsewhere).
TESTS += tests/bench_policy_smoke.sh tests/e2e/test_policy_postfix.sh
EXTRA_DIST += tests/bench_policy_smoke.sh tests/e2e/lib.sh \
	tests/e2e/test_policy_postfix.sh tests/e2e/policy_client.c

# bench/idle smoke run: two real Dovecots, IDLE gets EXISTS (root only).
TESTS += tests/bench_idle_smoke.sh
EXTRA_DIST += tests/bench_idle_smoke.sh

# The dovecot protocol codec and the Dovecot plugins against a real
# Dovecot (issue #5; the e2e test skips with exit 77 unless root).
check_PROGRAMS += tests/shared/test_cm_dove_codec
TESTS += tests/shared/test_cm_dove_codec tests/policyd/test_dovecot_socket.sh \
	tests/e2e/test_dovecot_plugin.sh
EXTRA_DIST += tests/policyd/test_dovecot_socket.sh \
	tests/e2e/test_dovecot_plugin.sh
tests_shared_test_cm_dove_codec_SOURCES = tests/shared/test_cm_dove_codec.c
tests_shared_test_cm_dove_codec_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_dove_codec_LDADD = $(CM_TEST_LDADD)
FUZZ_NAMES += fuzz_cm_dove_codec

# The encryption gate's decisions (cm_gate) and counters (issue #4).
check_PROGRAMS += tests/shared/test_cm_gate
TESTS += tests/shared/test_cm_gate
tests_shared_test_cm_gate_SOURCES = tests/shared/test_cm_gate.c
tests_shared_test_cm_gate_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_gate_LDADD = $(CM_TEST_LDADD)
TESTS += tests/e2e/test_milter_postfix.sh
EXTRA_DIST += tests/e2e/test_milter_postfix.sh

# The whole relay (scripts/relay.sh) end to end, issue #6 (root only).
TESTS += tests/e2e/test_relay.sh
EXTRA_DIST += tests/e2e/test_relay.sh tests/e2e/relay_lib.sh

# The relay under faults (kill -9 of the daemon during a burst, a full
# state disk) and the bench/relay smoke run; root only, 77 elsewhere.
TESTS += tests/e2e/test_relay_faults.sh tests/bench_relay_smoke.sh
EXTRA_DIST += tests/e2e/test_relay_faults.sh tests/bench_relay_smoke.sh
