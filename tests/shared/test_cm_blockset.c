/*++
 * NAME
 *	test_cm_blockset 1
 * SUMMARY
 *	cmocka tests for the in-RAM blocklist and federation lists
 * DESCRIPTION
 *	Covers adding and looking up every kind with the store's
 *	normalisation (case, IP-literal brackets), refused values,
 *	inputs that do not parse, IPv4, IPv6 and IPv4-mapped ranges,
 *	duplicates, a set large enough to rehash many times, loading from
 *	a store (and refusing a damaged row), and NULL safety.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_blockset.h"
#include "test_util.h"

#define N_MANY	20000

/* test_addresses - exact, case-insensitive address matching */
static void test_addresses(void **state)
{
	struct cm_blockset *set = cm_blockset_new();
	struct cm_error err;

	(void) state;
	assert_int_equal(cm_blockset_has_address(set, "a@x.org"), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_ADDRESS, "Spam@Evil.ORG",
					 &err), 0);
	assert_int_equal(cm_blockset_has_address(set, "spam@evil.org"), 1);
	assert_int_equal(cm_blockset_has_address(set, "SPAM@EVIL.org"), 1);
	assert_int_equal(cm_blockset_has_address(set, "spam@[evil.org]"), 1);
	assert_int_equal(cm_blockset_has_address(set, "spam2@evil.org"), 0);
	assert_int_equal(cm_blockset_has_address(set, "spam@evil.org.uk"), 0);
	/* the domain alone is not an address entry */
	assert_int_equal(cm_blockset_has_domain(set, "evil.org"), 0);
	/* unparsable inputs are not listed */
	assert_int_equal(cm_blockset_has_address(set, ""), 0);
	assert_int_equal(cm_blockset_has_address(set, "spam"), 0);
	assert_int_equal(cm_blockset_has_address(set, "@evil.org"), 0);
	assert_int_equal(cm_blockset_has_address(set, "spam@"), 0);
	assert_int_equal(cm_blockset_has_address(set, "sp am@evil.org"), 0);
	assert_int_equal(cm_blockset_has_address(set, NULL), 0);
	/* refused values */
	cm_error_clear(&err);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_ADDRESS, "nodomain",
					 &err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_true(err.message[0] != '\0');
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_ADDRESS, "a b@x", &err),
			 -1);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_ADDRESS, NULL, &err), -1);
	assert_int_equal(cm_blockset_count(set), 1);
	cm_blockset_free(&set);
	assert_null(set);
}

/* test_domains - domains, brackets, and no subdomain matching */
static void test_domains(void **state)
{
	struct cm_blockset *set = cm_blockset_new();

	(void) state;
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_DOMAIN, "Evil.Org",
					 NULL), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_DOMAIN, "[192.0.2.7]",
					 NULL), 0);
	assert_int_equal(cm_blockset_has_domain(set, "evil.org"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "EVIL.ORG"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "[evil.org]"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "192.0.2.7"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "[192.0.2.7]"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "sub.evil.org"), 0);
	assert_int_equal(cm_blockset_has_domain(set, "evil.org."), 0);
	assert_int_equal(cm_blockset_has_domain(set, ""), 0);
	assert_int_equal(cm_blockset_has_domain(set, "[]"), 0);
	assert_int_equal(cm_blockset_has_domain(set, "ev il.org"), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_DOMAIN, "a/b", NULL), -1);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_DOMAIN, "", NULL), -1);
	assert_int_equal(cm_blockset_add(set, (enum cm_block_kind) 9, "x",
					 NULL), -1);
	assert_int_equal(cm_blockset_count(set), 2);
	cm_blockset_free(&set);
}

struct ip_case {
	const char *ip;
	int     expect;
};

/* test_ips - v4, v6 and mapped addresses against ranges */
static void test_ips(void **state)
{
	static const struct ip_case cases[] = {
		{"192.0.2.0", 1}, {"192.0.2.255", 1}, {"192.0.3.0", 0},
		{"198.51.100.7", 1}, {"198.51.100.8", 0},
		{"::ffff:192.0.2.9", 1}, {"::FFFF:198.51.100.7", 1},
		{"2001:db8::1", 1}, {"2001:DB8:FFFF::", 1},
		{"2001:db9::1", 0}, {"::1", 0}, {"10.0.0.1", 1},
		{"", 0}, {"unknown", 0}, {"192.0.2.1/32", 0},
		{" 192.0.2.1", 0}, {"192.0.2", 0}, {"[192.0.2.1]", 0},
	};
	struct cm_blockset *set = cm_blockset_new();
	size_t  i;

	(void) state;
	assert_int_equal(cm_blockset_has_ip(set, "192.0.2.1"), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "192.0.2.0/24",
					 NULL), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "198.51.100.7",
					 NULL), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "2001:DB8::/32",
					 NULL), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "::ffff:10.0.0.0/104",
					 NULL), 0);
	/* duplicates, also in another spelling */
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP,
					 "::ffff:192.0.2.0/120", NULL), 0);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "198.51.100.7/32",
					 NULL), 0);
	/* refused: host bits, garbage */
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "192.0.2.1/24",
					 NULL), -1);
	assert_int_equal(cm_blockset_add(set, CM_BLOCK_IP, "evil.org", NULL),
			 -1);
	assert_int_equal(cm_blockset_count(set), 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cm_blockset_has_ip(set, cases[i].ip) != cases[i].expect)
			fail_msg("has_ip(%s) != %d", cases[i].ip,
				 cases[i].expect);
	assert_int_equal(cm_blockset_has_ip(set, NULL), 0);
	cm_blockset_free(&set);
}

/* test_fed - the two federation lists are separate */
static void test_fed(void **state)
{
	struct cm_blockset *set = cm_blockset_new();

	(void) state;
	assert_int_equal(cm_blockset_add_fed(set, CM_FED_LISTED, "Peer.Org",
					     NULL), 0);
	assert_int_equal(cm_blockset_add_fed(set, CM_FED_SILENT_DISMISS,
					     "[Quiet.Org]", NULL), 0);
	assert_int_equal(cm_blockset_add_fed(set, CM_FED_LISTED, "peer.org",
					     NULL), 0);
	assert_int_equal(cm_blockset_add_fed(set, CM_FED_LISTED, "", NULL), -1);
	assert_int_equal(cm_blockset_add_fed(set, (enum cm_fed_list) 5, "a.org",
					     NULL), -1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, "PEER.org"), 1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, "[peer.org]"),
			 1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_SILENT_DISMISS,
					     "peer.org"), 0);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_SILENT_DISMISS,
					     "quiet.org"), 1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, "quiet.org"),
			 0);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, ""), 0);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, NULL), 0);
	assert_int_equal(cm_blockset_fed_has(set, (enum cm_fed_list) 5,
					     "peer.org"), 0);
	/* federation lists are not the blocklist */
	assert_int_equal(cm_blockset_has_domain(set, "peer.org"), 0);
	assert_int_equal(cm_blockset_count(set), 2);
	cm_blockset_free(&set);
}

/* test_many - thousands of entries survive many rehashes */
static void test_many(void **state)
{
	struct cm_blockset *set = cm_blockset_new();
	char    buf[64];
	int     i;

	(void) state;
	for (i = 0; i < N_MANY; i++) {
		snprintf(buf, sizeof(buf), "U%d@D%d.org", i, i % 97);
		assert_int_equal(cm_blockset_add(set, CM_BLOCK_ADDRESS, buf,
						 NULL), 0);
		snprintf(buf, sizeof(buf), "d%d.example", i);
		assert_int_equal(cm_blockset_add_fed(set, CM_FED_LISTED, buf,
						     NULL), 0);
	}
	assert_int_equal(cm_blockset_count(set), 2 * N_MANY);
	for (i = 0; i < N_MANY; i++) {
		snprintf(buf, sizeof(buf), "u%d@d%d.ORG", i, i % 97);
		assert_int_equal(cm_blockset_has_address(set, buf), 1);
		snprintf(buf, sizeof(buf), "u%d@d%d.org", i, (i + 1) % 97);
		assert_int_equal(cm_blockset_has_address(set, buf), 0);
		snprintf(buf, sizeof(buf), "D%d.example", i);
		assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, buf),
				 1);
	}
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, "d-1.example"),
			 0);
	cm_blockset_free(&set);
}

/* test_load - a set built from the store's tables */
static void test_load(void **state)
{
	char   *dir = test_mkdtemp();
	char   *path = test_path(dir, "chatmail.db");
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_blockset *set = NULL;
	struct cm_error err;

	(void) state;
	assert_int_equal(cm_blockset_load(store, &set, &err), 0);
	assert_non_null(set);
	assert_int_equal(cm_blockset_count(set), 0);
	cm_blockset_free(&set);
	assert_int_equal(cm_blocklist_add(store, CM_BLOCK_ADDRESS, "A@B.org",
					  "spam", &err), 1);
	assert_int_equal(cm_blocklist_add(store, CM_BLOCK_DOMAIN, "Evil.org",
					  "", &err), 1);
	assert_int_equal(cm_blocklist_add(store, CM_BLOCK_IP, "2001:db8::/48",
					  "", &err), 1);
	assert_int_equal(cm_federation_add(store, CM_FED_LISTED, "Peer.org",
					   &err), 1);
	assert_int_equal(cm_federation_add(store, CM_FED_SILENT_DISMISS,
					   "quiet.org", &err), 1);
	assert_int_equal(cm_blockset_load(store, &set, &err), 0);
	assert_int_equal(cm_blockset_count(set), 5);
	assert_int_equal(cm_blockset_has_address(set, "a@b.org"), 1);
	assert_int_equal(cm_blockset_has_domain(set, "EVIL.org"), 1);
	assert_int_equal(cm_blockset_has_ip(set, "2001:db8:1::5"), 0);
	assert_int_equal(cm_blockset_has_ip(set, "2001:db8::5"), 1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_LISTED, "peer.org"), 1);
	assert_int_equal(cm_blockset_fed_has(set, CM_FED_SILENT_DISMISS,
					     "quiet.org"), 1);
	cm_blockset_free(&set);
	cm_store_close(&store);
	test_rmtree(dir);
	free(path);
	free(dir);
}

/* test_load_damaged - a row that does not normalise fails the load */
static void test_load_damaged(void **state)
{
	char   *dir = test_mkdtemp();
	char   *path = test_path(dir, "chatmail.db");
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_blockset *set = NULL;
	struct cm_error err;
	sqlite3 *db;

	(void) state;
	cm_store_close(&store);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO blocklist (kind, value,"
				      " created_at) VALUES ('ip', 'bogus', 1)",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store = test_store_open(path, 0, 0);
	set = cm_blockset_new();		/* must be reset on failure */
	cm_blockset_free(&set);
	assert_int_equal(cm_blockset_load(store, &set, &err), -1);
	assert_null(set);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_non_null(strstr(err.message, "bogus"));
	assert_int_equal(cm_blockset_load(NULL, &set, &err), -1);
	assert_int_equal(cm_blockset_load(store, NULL, &err), -1);
	cm_store_close(&store);
	test_rmtree(dir);
	free(path);
	free(dir);
}

/* test_null - NULL sets answer "not listed" */
static void test_null(void **state)
{
	struct cm_blockset *set = NULL;

	(void) state;
	cm_blockset_free(NULL);
	cm_blockset_free(&set);
	assert_int_equal(cm_blockset_has_address(NULL, "a@b.org"), 0);
	assert_int_equal(cm_blockset_has_domain(NULL, "b.org"), 0);
	assert_int_equal(cm_blockset_has_ip(NULL, "192.0.2.1"), 0);
	assert_int_equal(cm_blockset_fed_has(NULL, CM_FED_LISTED, "b.org"), 0);
	assert_int_equal(cm_blockset_count(NULL), 0);
	assert_int_equal(cm_blockset_add(NULL, CM_BLOCK_DOMAIN, "b.org", NULL),
			 -1);
	assert_int_equal(cm_blockset_add_fed(NULL, CM_FED_LISTED, "b.org",
					     NULL), -1);
}

/* main - run every test */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_ips),
		cmocka_unit_test(test_fed),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_damaged),
		cmocka_unit_test(test_null),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
