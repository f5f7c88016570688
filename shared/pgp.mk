## shared/pgp.mk - the encryption gate checker (cm_pgp), its tests, fuzzer
## and bench/pgp; see issue #4.
shared_libchatmail_la_SOURCES += \
	shared/cm_pgp.c shared/cm_pgp.h \
	shared/cm_pgp_armor.c shared/cm_pgp_armor.h \
	shared/cm_pgp_mime.c shared/cm_pgp_mime.h \
	shared/cm_pgp_packet.c shared/cm_pgp_packet.h \
	shared/cm_pgp_simd.c shared/cm_pgp_simd.h

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
