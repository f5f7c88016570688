/*++
 * NAME
 *	test_cm_strmap 1
 * SUMMARY
 *	cmocka tests for the string-keyed hash map
 * DESCRIPTION
 *	Covers the empty map, find and insert with one hash, many keys
 *	through many rehashes (each still found with its own value, none
 *	found twice by iteration), keys that differ only in their last
 *	byte, colliding chains (all keys in few slots of a small map
 *	still found), the hash against known FNV-1a values, and freeing
 *	with and without a value callback.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_strmap.h"

#define N_MANY	50000

/* test_empty - an empty map finds nothing and frees cleanly */
static void test_empty(void **state)
{
	struct cm_strmap map = CM_STRMAP_INIT;

	(void) state;
	assert_null(cm_strmap_get(&map, "x"));
	assert_null(cm_strmap_find(&map, "", cm_strmap_hash("")));
	cm_strmap_free(&map, free);
	assert_null(map.slots);
	assert_int_equal(map.size, 0);
	assert_int_equal(map.count, 0);
}

/* test_insert_find - keys found with their values, others not */
static void test_insert_find(void **state)
{
	struct cm_strmap map = CM_STRMAP_INIT;
	static char a[] = "alice@example.org", b[] = "alice@example.orh";
	static char empty[] = "";

	(void) state;
	cm_strmap_insert(&map, cm_strmap_hash(a), a, a);
	cm_strmap_insert(&map, cm_strmap_hash(b), b, b);
	cm_strmap_insert(&map, cm_strmap_hash(empty), empty, empty);
	assert_int_equal(map.count, 3);
	assert_ptr_equal(cm_strmap_get(&map, "alice@example.org"), a);
	assert_ptr_equal(cm_strmap_get(&map, "alice@example.orh"), b);
	assert_ptr_equal(cm_strmap_get(&map, ""), empty);
	assert_null(cm_strmap_get(&map, "alice@example.or"));
	assert_null(cm_strmap_get(&map, "Alice@example.org"));
	cm_strmap_free(&map, NULL);
}

/* test_many - N_MANY keys through many doublings */
static void test_many(void **state)
{
	struct cm_strmap map = CM_STRMAP_INIT;
	char    key[32];
	char   *copy;
	size_t  i, seen = 0;
	int    *marks = calloc(N_MANY, sizeof(*marks));

	(void) state;
	assert_non_null(marks);
	for (i = 0; i < N_MANY; i++) {
		snprintf(key, sizeof(key), "user%zu@example.org", i);
		assert_null(cm_strmap_get(&map, key));
		copy = strdup(key);
		assert_non_null(copy);
		cm_strmap_insert(&map, cm_strmap_hash(copy), copy, copy);
	}
	assert_int_equal(map.count, N_MANY);
	assert_true(map.count * 10 <= map.size * 7);
	assert_int_equal(map.size & (map.size - 1), 0);
	for (i = 0; i < N_MANY; i++) {
		snprintf(key, sizeof(key), "user%zu@example.org", i);
		copy = cm_strmap_get(&map, key);
		assert_non_null(copy);
		assert_string_equal(copy, key);
	}
	for (i = 0; i < map.size; i++) {
		size_t  n;

		if (map.slots[i].key == NULL)
			continue;
		assert_ptr_equal(map.slots[i].key, map.slots[i].value);
		assert_int_equal(sscanf(map.slots[i].key, "user%zu@", &n), 1);
		assert_true(n < N_MANY);
		assert_int_equal(marks[n]++, 0);
		seen++;
	}
	assert_int_equal(seen, N_MANY);
	free(marks);
	cm_strmap_free(&map, free);
	assert_int_equal(map.count, 0);
}

/* test_collisions - equal hashes chain and still compare by key */
static void test_collisions(void **state)
{
	struct cm_strmap map = CM_STRMAP_INIT;
	static char k[8][4] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
	int     i;

	(void) state;
	/* one made-up hash for all: every insert lands in the same chain */
	for (i = 0; i < 8; i++)
		cm_strmap_insert(&map, 42, k[i], k[i]);
	for (i = 0; i < 8; i++)
		assert_ptr_equal(cm_strmap_find(&map, k[i], 42), k[i]);
	assert_null(cm_strmap_find(&map, "k8", 42));
	assert_null(cm_strmap_find(&map, "k0", 43));
	cm_strmap_free(&map, NULL);
}

/* test_hash - FNV-1a 64 then the avalanche; stable across builds */
static void test_hash(void **state)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a of "" */

	(void) state;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	assert_true(cm_strmap_hash("") == h);
	h = 0xaf63dc4c8601ec8cULL;		/* FNV-1a 64 of "a" */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	assert_true(cm_strmap_hash("a") == h);
	assert_true(cm_strmap_hash("ab") != cm_strmap_hash("ba"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_insert_find),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_hash),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
