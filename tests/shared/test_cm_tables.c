/*++
 * NAME
 *	test_cm_tables 1
 * SUMMARY
 *	unit tests for the table modules: quotas, blocklist, tokens,
 *	federation, counters
 *--*/

#include "test_util.h"
#include "cm_quotas.h"
#include "cm_blocklist.h"
#include "cm_tokens.h"
#include "cm_federation.h"
#include "cm_counters.h"

#include <ctype.h>

struct fixture {
	char *dir;
	char *path;
	struct cm_store *store;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	fx->dir = test_mkdtemp();
	fx->path = test_path(fx->dir, "chatmail.db");
	fx->store = test_store_open(fx->path, 0, 0);
	cm_store_set_clock(fx->store, 1000);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	cm_store_close(&fx->store);
	test_rmtree(fx->dir);
	free(fx->path);
	free(fx->dir);
	free(fx);
	return 0;
}

/* collect - rows rendered as "a|b|c;" into a fixed buffer */
struct collect {
	char text[4096];
	int rows;
	int stop_after;
};

static void collect_add(struct collect *c, const char *fmt, ...)
{
	size_t len = strlen(c->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->text + len, sizeof(c->text) - len, fmt, ap);
	va_end(ap);
	c->rows++;
}

static int collect_quota(const struct cm_quota_row *row, void *ctx)
{
	struct collect *c = ctx;

	collect_add(c, "%s|%lld|%s|%lld;", row->user,
		    (long long) row->max_storage,
		    row->used_token ? row->used_token : "-",
		    (long long) row->created_at);
	return c->stop_after && c->rows >= c->stop_after ? 42 : 0;
}

/* test_quotas - set, update, token, get, delete, ordered listing */
static void test_quotas(void **state)
{
	struct fixture *fx = *state;
	struct collect c = { "", 0, 0 };
	struct cm_error err;
	int64_t max = -1;

	assert_int_equal(cm_quotas_set(fx->store, "b@x.org", 100, &err), 0);
	assert_int_equal(cm_quotas_set(fx->store, "a@x.org", 200, &err), 0);
	cm_store_set_clock(fx->store, 2000);
	assert_int_equal(cm_quotas_set(fx->store, "a@x.org", 300, &err), 0);
	assert_int_equal(cm_quotas_get(fx->store, "a@x.org", &max, &err), 1);
	assert_int_equal(max, 300);
	assert_int_equal(cm_quotas_get(fx->store, "z@x.org", &max, &err), 0);
	assert_int_equal(cm_quotas_set(fx->store, "a@x.org", -1, &err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_int_equal(cm_quotas_set(fx->store, "", 1, &err), -1);

	assert_int_equal(cm_tokens_create(fx->store, "tok1", 5, 0, NULL, 0,
					  &err), 0);
	assert_int_equal(cm_quotas_set_token(fx->store, "c@x.org", "tok1", 50,
					     &err), 0);
	assert_int_equal(cm_quotas_foreach(fx->store, collect_quota, &c, &err),
			 0);
	assert_string_equal(c.text, "a@x.org|300|-|1000;b@x.org|100|-|1000;"
			    "c@x.org|50|tok1|2000;");
	/* Revoking the token keeps the account, forgets the reference. */
	assert_int_equal(cm_tokens_revoke(fx->store, "tok1", &err), 1);
	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	assert_int_equal(cm_quotas_foreach(fx->store, collect_quota, &c, &err),
			 42);
	assert_non_null(strstr(c.text, "c@x.org|50|-|2000;"));
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	assert_int_equal(cm_quotas_foreach(fx->store, collect_quota, &c, &err),
			 42);
	assert_int_equal(c.rows, 1);
	assert_int_equal(cm_quotas_delete(fx->store, "b@x.org", &err), 1);
	assert_int_equal(cm_quotas_delete(fx->store, "b@x.org", &err), 0);
	assert_int_equal(cm_store_check(fx->store, &err), 0);
}

/* test_blocklist_normalize - canonical forms and refusals */
static void test_blocklist_normalize(void **state)
{
	static const struct {
		enum cm_block_kind kind;
		const char *in, *out;	/* out NULL = refused */
	} cases[] = {
		{ CM_BLOCK_ADDRESS, "Spammer@Example.ORG", "spammer@example.org" },
		{ CM_BLOCK_ADDRESS, "a@[192.0.2.1]", "a@192.0.2.1" },
		{ CM_BLOCK_ADDRESS, "odd@name@example.org", "odd@name@example.org" },
		{ CM_BLOCK_ADDRESS, "noatsign", NULL },
		{ CM_BLOCK_ADDRESS, "@example.org", NULL },
		{ CM_BLOCK_ADDRESS, "a@", NULL },
		{ CM_BLOCK_ADDRESS, "a b@example.org", NULL },
		{ CM_BLOCK_ADDRESS, "a@exa mple.org", NULL },
		{ CM_BLOCK_DOMAIN, "Example.ORG", "example.org" },
		{ CM_BLOCK_DOMAIN, "[192.0.2.1]", "192.0.2.1" },
		{ CM_BLOCK_DOMAIN, "", NULL },
		{ CM_BLOCK_DOMAIN, "[]", NULL },
		{ CM_BLOCK_DOMAIN, "a/b", NULL },
		{ CM_BLOCK_DOMAIN, "a\tb", NULL },
		{ CM_BLOCK_IP, "192.0.2.7", "192.0.2.7/32" },
		{ CM_BLOCK_IP, "192.0.2.0/24", "192.0.2.0/24" },
		{ CM_BLOCK_IP, "192.0.2.1/24", NULL },	/* host bits */
		{ CM_BLOCK_IP, "2001:DB8::/32", "2001:db8::/32" },
		{ CM_BLOCK_IP, "300.1.1.1", NULL },
		{ CM_BLOCK_IP, "example.org", NULL },
	};
	struct cm_error err;
	char buf[400];
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cm_blocklist_normalize(cases[i].kind, cases[i].in, buf,
						sizeof(buf), &err);

		if (cases[i].out == NULL) {
			if (rc != -1)
				fail_msg("'%s' accepted as '%s'", cases[i].in,
					 buf);
			assert_int_equal(err.kind, CM_ERR_INVALID);
		} else {
			if (rc != 0)
				fail_msg("'%s' refused: %s", cases[i].in,
					 err.message);
			assert_string_equal(buf, cases[i].out);
		}
	}
}

static int collect_block(const struct cm_block_row *row, void *ctx)
{
	collect_add(ctx, "%s|%s|%s;", cm_blocklist_kind_name(row->kind),
		    row->value, row->reason);
	return 0;
}

/* test_blocklist_store - add, re-add updates reason, delete, list */
static void test_blocklist_store(void **state)
{
	struct fixture *fx = *state;
	struct collect c = { "", 0, 0 };
	enum cm_block_kind kind;
	struct cm_error err;

	assert_int_equal(cm_blocklist_kind_parse("ip", &kind), 0);
	assert_int_equal(kind, CM_BLOCK_IP);
	assert_int_equal(cm_blocklist_kind_parse("net", &kind), -1);
	assert_int_equal(cm_blocklist_add(fx->store, CM_BLOCK_ADDRESS,
					  "X@Spam.example", "spam", &err), 1);
	assert_int_equal(cm_blocklist_add(fx->store, CM_BLOCK_ADDRESS,
					  "x@spam.example", "abuse", &err), 0);
	assert_int_equal(cm_blocklist_add(fx->store, CM_BLOCK_IP,
					  "198.51.100.0/24", NULL, &err), 1);
	assert_int_equal(cm_blocklist_add(fx->store, CM_BLOCK_DOMAIN,
					  "spam.example", "", &err), 1);
	assert_int_equal(cm_blocklist_add(fx->store, CM_BLOCK_IP,
					  "198.51.100.1/24", "", &err), -1);
	assert_non_null(strstr(err.message, "did you mean 198.51.100.0/24?"));
	assert_int_equal(cm_blocklist_foreach(fx->store, collect_block, &c,
					      &err), 0);
	assert_string_equal(c.text, "address|x@spam.example|abuse;"
			    "domain|spam.example|;ip|198.51.100.0/24|;");
	assert_int_equal(cm_blocklist_del(fx->store, CM_BLOCK_ADDRESS,
					  "X@SPAM.example", &err), 1);
	assert_int_equal(cm_blocklist_del(fx->store, CM_BLOCK_ADDRESS,
					  "x@spam.example", &err), 0);
}

/* test_tokens - create, random, use limits, expiry, revoke */
static void test_tokens(void **state)
{
	struct fixture *fx = *state;
	struct cm_error err;
	const char *why;
	char buf[64];
	size_t i;

	assert_int_equal(cm_tokens_create(fx->store, "two", 2, 0, buf,
					  sizeof(buf), &err), 0);
	assert_string_equal(buf, "two");
	assert_int_equal(cm_tokens_create(fx->store, "two", 2, 0, NULL, 0,
					  &err), -1);
	assert_int_equal(err.kind, CM_ERR_INVALID);
	assert_non_null(strstr(err.message, "already exists"));
	assert_int_equal(cm_tokens_create(fx->store, "has space", 1, 0, NULL,
					  0, &err), -1);
	assert_int_equal(cm_tokens_create(fx->store, "x", -1, 0, NULL, 0,
					  &err), -1);
	assert_int_equal(cm_tokens_use(fx->store, "two", &why, &err), 1);
	assert_int_equal(cm_tokens_use(fx->store, "two", &why, &err), 1);
	assert_int_equal(cm_tokens_use(fx->store, "two", &why, &err), 0);
	assert_string_equal(why, "token used up");
	assert_int_equal(cm_tokens_use(fx->store, "nosuch", &why, &err), 0);
	assert_string_equal(why, "unknown token");

	assert_int_equal(cm_tokens_create(fx->store, "soon", 0, 1500, NULL, 0,
					  &err), 0);
	for (i = 0; i < 5; i++)	/* 0 = unlimited uses */
		assert_int_equal(cm_tokens_use(fx->store, "soon", &why, &err), 1);
	cm_store_set_clock(fx->store, 1500);
	assert_int_equal(cm_tokens_use(fx->store, "soon", &why, &err), 0);
	assert_string_equal(why, "token expired");

	assert_int_equal(cm_tokens_create(fx->store, NULL, 1, 0, buf,
					  sizeof(buf), &err), 0);
	assert_int_equal(strlen(buf), 24);
	for (i = 0; i < 24; i++)
		assert_true(islower((unsigned char) buf[i])
			    || isdigit((unsigned char) buf[i]));
	assert_int_equal(cm_tokens_use(fx->store, buf, &why, &err), 1);
	assert_int_equal(cm_tokens_revoke(fx->store, buf, &err), 1);
	assert_int_equal(cm_tokens_revoke(fx->store, buf, &err), 0);
	assert_int_equal(cm_tokens_use(fx->store, buf, &why, &err), 0);
	assert_string_equal(why, "unknown token");
}

static int collect_token(const struct cm_token_row *row, void *ctx)
{
	collect_add(ctx, "%s|%lld|%lld|%lld;", row->token,
		    (long long) row->max_uses, (long long) row->uses,
		    (long long) row->expires_at);
	return 0;
}

/* test_tokens_list - fields as stored */
static void test_tokens_list(void **state)
{
	struct fixture *fx = *state;
	struct collect c = { "", 0, 0 };
	const char *why;

	assert_int_equal(cm_tokens_create(fx->store, "a", 3, 9999, NULL, 0,
					  NULL), 0);
	assert_int_equal(cm_tokens_use(fx->store, "a", &why, NULL), 1);
	assert_int_equal(cm_tokens_foreach(fx->store, collect_token, &c, NULL),
			 0);
	assert_string_equal(c.text, "a|3|1|9999;");
}

static int collect_fed(const struct cm_fed_policy_row *row, void *ctx)
{
	collect_add(ctx, "%s|%s;", cm_federation_list_name(row->list),
		    row->domain);
	return 0;
}

static int collect_fedstats(const struct cm_fed_stats_row *row, void *ctx)
{
	collect_add(ctx, "%s|%s|%lld|%lld|%lld;", row->domain,
		    row->dir == CM_FED_IN ? "in" : "out",
		    (long long) row->messages, (long long) row->rejections,
		    (long long) row->last_seen);
	return 0;
}

/* test_federation - lists and saturating stats */
static void test_federation(void **state)
{
	struct fixture *fx = *state;
	struct cm_hot_fed_delta d = { "peer.example", CM_FED_IN, 3, 1, 500 };
	struct collect c = { "", 0, 0 };
	enum cm_fed_list list;
	struct cm_error err;

	assert_int_equal(cm_federation_list_parse("silent_dismiss", &list), 0);
	assert_int_equal(list, CM_FED_SILENT_DISMISS);
	assert_int_equal(cm_federation_list_parse("deny", &list), -1);
	assert_int_equal(cm_federation_add(fx->store, CM_FED_LISTED,
					   "Bad.Example", &err), 1);
	assert_int_equal(cm_federation_add(fx->store, CM_FED_LISTED,
					   "bad.example", &err), 0);
	assert_int_equal(cm_federation_add(fx->store, CM_FED_SILENT_DISMISS,
					   "[192.0.2.9]", &err), 1);
	assert_int_equal(cm_federation_add(fx->store, CM_FED_LISTED, "",
					   &err), -1);
	assert_int_equal(cm_federation_foreach(fx->store, collect_fed, &c,
					       &err), 0);
	assert_string_equal(c.text, "listed|bad.example;"
			    "silent_dismiss|192.0.2.9;");
	assert_int_equal(cm_federation_del(fx->store, CM_FED_LISTED,
					   "BAD.example", &err), 1);
	assert_int_equal(cm_federation_del(fx->store, CM_FED_LISTED,
					   "bad.example", &err), 0);

	assert_int_equal(cm_federation_stats_add(fx->store, &d, &err), 0);
	d.messages = 2;
	d.rejections = 0;
	d.last_seen = 400;	/* older: last_seen stays 500 */
	assert_int_equal(cm_federation_stats_add(fx->store, &d, &err), 0);
	d.dir = CM_FED_OUT;
	d.messages = INT64_MAX;
	assert_int_equal(cm_federation_stats_add(fx->store, &d, &err), 0);
	d.messages = 5;	/* saturates instead of overflowing */
	assert_int_equal(cm_federation_stats_add(fx->store, &d, &err), 0);
	d.messages = -1;
	assert_int_equal(cm_federation_stats_add(fx->store, &d, &err), -1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(cm_federation_stats_foreach(fx->store,
						     collect_fedstats, &c,
						     &err), 0);
	assert_string_equal(c.text, "peer.example|in|5|1|500;"
			    "peer.example|out|9223372036854775807|0|400;");
}

static int collect_counter(const struct cm_counter_row *row, void *ctx)
{
	collect_add(ctx, "%s|%lld|%lld;", row->user, (long long) row->sent,
		    (long long) row->received);
	return 0;
}

/* test_counters - add, saturate, get, list */
static void test_counters(void **state)
{
	struct fixture *fx = *state;
	struct cm_hot_counter_delta d = { "a@x.org", 2, 3 };
	struct collect c = { "", 0, 0 };
	struct cm_error err;
	int64_t sent, received;

	assert_int_equal(cm_counters_add(fx->store, &d, &err), 0);
	assert_int_equal(cm_counters_add(fx->store, &d, &err), 0);
	assert_int_equal(cm_counters_get(fx->store, "a@x.org", &sent,
					 &received, &err), 1);
	assert_int_equal(sent, 4);
	assert_int_equal(received, 6);
	assert_int_equal(cm_counters_get(fx->store, "b@x.org", &sent,
					 &received, &err), 0);
	d.user = "b@x.org";
	d.sent = INT64_MAX - 1;
	d.received = 0;
	assert_int_equal(cm_counters_add(fx->store, &d, &err), 0);
	d.sent = 10;
	assert_int_equal(cm_counters_add(fx->store, &d, &err), 0);
	d.sent = -1;
	assert_int_equal(cm_counters_add(fx->store, &d, &err), -1);
	assert_int_equal(cm_counters_foreach(fx->store, collect_counter, &c,
					     &err), 0);
	assert_string_equal(c.text, "a@x.org|4|6;"
			    "b@x.org|9223372036854775807|0;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test(test_blocklist_normalize),
		cmocka_unit_test_setup_teardown(test_blocklist_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_federation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
