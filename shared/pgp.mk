## shared/pgp.mk - the encryption gate checker (cm_pgp), its tests, fuzzer
## and bench/pgp; see issue #4.
CM_PGP_SRCS = \
	shared/cm_pgp.c shared/cm_pgp.h \
	shared/cm_pgp_armor.c shared/cm_pgp_armor.h \
	shared/cm_pgp_mime.c shared/cm_pgp_mime.h \
	shared/cm_pgp_packet.c shared/cm_pgp_packet.h \
	shared/cm_pgp_simd.c shared/cm_pgp_simd.h

# The checker is a library of its own, part of libchatmail, so that it
# can be compiled with profile feedback (configure --enable-pgo, the
# default with GCC; doc/encryption-gate.md, "Profile feedback"). Before
# the library's objects are compiled, shared/pgo.stamp has a make of its
# own compile them instrumented (-fprofile-generate) and link them into
# bench/pgp-train, which runs "bench/pgp --train"; the profile is left
# in shared/pgo under the names of those same objects, which are then
# compiled again with it. (GCC matches a static function's profile by
# the object's name too, so the objects that learn must be the ones that
# use it.)
noinst_LTLIBRARIES += shared/libcmpgp.la
shared_libcmpgp_la_SOURCES = $(CM_PGP_SRCS)
shared_libcmpgp_la_CFLAGS = $(CM_CFLAGS) -fno-semantic-interposition \
	$(CM_PGO_USE_CFLAGS)
shared_libchatmail_la_LIBADD += shared/libcmpgp.la

if PGO
CM_PGO_DIR = $(abs_builddir)/shared/pgo
CM_PGO_USE_CFLAGS = -fprofile-use=$(CM_PGO_DIR) -Wno-missing-profile
CM_PGO_GEN_CFLAGS = -fprofile-generate=$(CM_PGO_DIR) -fprofile-update=single
CM_PGO_STAMP = shared/pgo.stamp
EXTRA_PROGRAMS = bench/pgp-train
bench_pgp_train_SOURCES = bench/pgp.c
bench_pgp_train_CFLAGS = $(CM_CFLAGS) -O2
bench_pgp_train_LDADD = shared/libcmpgp.la
bench_pgp_train_LDFLAGS = -fprofile-generate
$(shared_libcmpgp_la_OBJECTS): $(CM_PGO_STAMP)
shared/pgo.stamp: $(CM_PGP_SRCS) bench/pgp.c
	$(AM_V_GEN)rm -rf shared/pgo && \
	rm -f $(shared_libcmpgp_la_OBJECTS) shared/libcmpgp.la && \
	$(MAKE) $(AM_MAKEFLAGS) CM_PGO_STAMP= \
		CM_PGO_USE_CFLAGS='$(CM_PGO_GEN_CFLAGS)' bench/pgp-train$(EXEEXT) && \
	bench/pgp-train$(EXEEXT) --train && \
	rm -f $(shared_libcmpgp_la_OBJECTS) shared/libcmpgp.la \
		bench/pgp-train$(EXEEXT) && \
	touch $@
else
CM_PGO_USE_CFLAGS =
endif
CLEANFILES += shared/pgo.stamp bench/pgp-train$(EXEEXT)
clean-local: clean-pgo
clean-pgo:
	-rm -rf shared/pgo
.PHONY: clean-pgo

# Unit tests of the checker (cmocka, table-driven).
CM_PGP_TESTS = tests/shared/test_cm_pgp tests/shared/test_cm_pgp_armor \
	tests/shared/test_cm_pgp_mime tests/shared/test_cm_pgp_simd
check_PROGRAMS += $(CM_PGP_TESTS)
TESTS += $(CM_PGP_TESTS)
tests_shared_test_cm_pgp_SOURCES = tests/shared/test_cm_pgp.c
tests_shared_test_cm_pgp_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_pgp_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_pgp_armor_SOURCES = tests/shared/test_cm_pgp_armor.c \
	tests/shared/pgp_crc24_ref.h
tests_shared_test_cm_pgp_armor_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_pgp_armor_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_pgp_mime_SOURCES = tests/shared/test_cm_pgp_mime.c
tests_shared_test_cm_pgp_mime_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_pgp_mime_LDADD = $(CM_TEST_LDADD)
tests_shared_test_cm_pgp_simd_SOURCES = tests/shared/test_cm_pgp_simd.c \
	tests/shared/pgp_crc24_ref.h
tests_shared_test_cm_pgp_simd_CFLAGS = $(CM_TEST_CFLAGS)
tests_shared_test_cm_pgp_simd_LDADD = $(CM_TEST_LDADD)

# The GnuPG corpus: generated at test time, checked through cm_pgp_check.
check_PROGRAMS += tests/tools/cm_pgp_check tests/tools/cm_pgp_forge
tests_tools_cm_pgp_check_SOURCES = tests/tools/cm_pgp_check.c
tests_tools_cm_pgp_check_CFLAGS = $(CM_CFLAGS)
tests_tools_cm_pgp_check_LDADD = shared/libchatmail.la $(SQLITE_LIBS) $(PTHREAD_LIBS)
tests_tools_cm_pgp_forge_SOURCES = tests/tools/cm_pgp_forge.c
tests_tools_cm_pgp_forge_CFLAGS = $(CM_CFLAGS)
tests_tools_cm_pgp_forge_LDADD = shared/libchatmail.la $(SQLITE_LIBS) $(PTHREAD_LIBS)
TESTS += tests/pgp/test_pgp_corpus.sh
EXTRA_DIST += tests/pgp/test_pgp_corpus.sh

# Fuzzer and benchmark.
FUZZ_NAMES += fuzz_cm_pgp
BENCH_PROGS += bench/pgp
bench_pgp_SOURCES = bench/pgp.c
bench_pgp_CFLAGS = $(CM_CFLAGS) -O2
bench_pgp_LDADD = shared/libchatmail.la $(SQLITE_LIBS) $(PTHREAD_LIBS)
TESTS += tests/bench_pgp_smoke.sh
EXTRA_DIST += tests/bench_pgp_smoke.sh
