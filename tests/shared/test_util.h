#ifndef TEST_UTIL_H
#define TEST_UTIL_H

/*++
 * NAME
 *	test_util 3h
 * SUMMARY
 *	helpers for the cmocka unit tests: temp dirs, store handles
 * DESCRIPTION
 *	Header-only so every test program stays one .c file. Temp dirs go
 *	under $TMPDIR (default /tmp) and are removed by test_rmtree().
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_error.h"
#include "cm_store.h"

/* test_mkdtemp - a fresh temp dir; the caller frees the string */
static inline char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	assert_true(asprintf(&path, "%s/cm-test-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static inline int test_rm_entry(const char *path, const struct stat *st,
				int flag, struct FTW *ftw)
{
	(void) st; (void) flag; (void) ftw;
	return remove(path);
}

/* test_rmtree - rm -rf path (ignores errors) */
static inline void test_rmtree(const char *path)
{
	nftw(path, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* test_path - dir + "/" + name, malloc'd */
static inline char *test_path(const char *dir, const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	return path;
}

/* test_store_open - open path with the given modes, fail the test on error */
static inline struct cm_store *test_store_open(const char *path, int read_only,
					       int in_memory)
{
	struct cm_store_options opts = { path, read_only, in_memory, 0 };
	struct cm_store *store = NULL;
	struct cm_error err;

	cm_error_clear(&err);
	if (cm_store_open(&opts, &store, &err) < 0)
		fail_msg("cm_store_open(%s): %s", path, err.message);
	return store;
}

/* test_write_file - create path with content */
static inline void test_write_file(const char *path, const char *content)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

#endif
