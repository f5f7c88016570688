/*++
 * NAME
 *	test_cm_hot 1
 * SUMMARY
 *	cmocka tests for the in-RAM hot state
 * DESCRIPTION
 *	Covers the quota rule and saturating arithmetic (table-driven, up
 *	to INT64_MAX), the quota cache with known and unknown users, a
 *	table large enough to rehash many times, counters and federation
 *	totals versus pending, the take/restore cycle, exact totals
 *	under concurrent updates, and the rate buckets (burst, exact
 *	refill, independence, no limit, clock going backwards, huge
 *	clock values).
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_hot.h"

#define N_MANY		200000
#define N_THREADS	4
#define N_PER_THREAD	100000

struct allows_case {
	int64_t used;
	int64_t max;
	int64_t incoming;
	int     expect;
};

struct sat_case {
	int64_t a;
	int64_t b;
	int64_t expect;
};

/* test_quota_allows - the quota rule, edge by edge */
static void test_quota_allows(void **state)
{
	static const struct allows_case cases[] = {
		{0, 100, 0, 1},
		{0, 100, 100, 1},		/* exactly max */
		{0, 100, 101, 0},		/* max + 1 */
		{50, 100, 50, 1},
		{50, 100, 51, 0},
		{100, 100, 0, 1},
		{100, 100, 1, 0},
		{101, 100, 0, 0},		/* already over: refused */
		{101, 100, 1, 0},
		{0, 0, INT64_MAX, 1},		/* max 0: unlimited */
		{INT64_MAX, 0, INT64_MAX, 1},
		{INT64_MAX - 1, INT64_MAX, 1, 1},
		{INT64_MAX - 1, INT64_MAX, 2, 0},
		{INT64_MAX, INT64_MAX, 0, 1},
		{INT64_MAX, INT64_MAX, 1, 0},
		{1, INT64_MAX, INT64_MAX, 0},
		{0, INT64_MAX, INT64_MAX, 1},
		{INT64_MAX, INT64_MAX, INT64_MAX, 0},
		{0, 1, INT64_MAX, 0},
		{-5, 100, 100, 1},		/* negative used = 0 */
		{INT64_MIN, 100, 100, 1},
		{0, -1, INT64_MAX, 1},		/* negative max = unlimited */
		{0, INT64_MIN, 5, 1},
		{100, 100, -1, 1},		/* negative incoming = 0 */
		{100, 100, INT64_MIN, 1},
		{101, 100, -1, 0},
	};
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cm_quota_allows(cases[i].used, cases[i].max,
				    cases[i].incoming) != cases[i].expect)
			fail_msg("case %zu: used=%lld max=%lld incoming=%lld "
				 "expected %d", i, (long long) cases[i].used,
				 (long long) cases[i].max,
				 (long long) cases[i].incoming,
				 cases[i].expect);
	}
}

/* test_sat_add - saturating addition clamps to [0, INT64_MAX] */
static void test_sat_add(void **state)
{
	static const struct sat_case cases[] = {
		{0, 0, 0},
		{1, 2, 3},
		{5, -3, 2},
		{5, -5, 0},
		{5, -6, 0},
		{INT64_MAX, 1, INT64_MAX},
		{INT64_MAX, INT64_MAX, INT64_MAX},
		{INT64_MAX - 1, 1, INT64_MAX},
		{INT64_MAX - 2, 1, INT64_MAX - 1},
		{INT64_MAX, -1, INT64_MAX - 1},
		{0, INT64_MIN, 0},
		{INT64_MIN, INT64_MIN, 0},
		{INT64_MIN, -1, 0},
		{INT64_MIN, INT64_MAX, 0},	/* -1 clamps at 0 */
		{-1, 2, 1},
		{-10, 3, 0},
		{INT64_MAX, INT64_MIN, 0},
	};
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = cm_sat_add(cases[i].a, cases[i].b);

		if (got != cases[i].expect)
			fail_msg("case %zu: %lld + %lld = %lld, expected %lld",
				 i, (long long) cases[i].a,
				 (long long) cases[i].b, (long long) got,
				 (long long) cases[i].expect);
	}
}

/* test_quota_cache - set/get/add/check on known and unknown users */
static void test_quota_cache(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int64_t used = -1, max = -1;

	(void) state;
	assert_int_equal(cm_hot_user_count(hot), 0);
	assert_int_equal(cm_hot_quota_get(hot, "nobody@x", &used, &max), 0);
	assert_int_equal(used, -1);
	assert_int_equal(cm_hot_quota_check(hot, "nobody@x", 100, 100), 1);
	assert_int_equal(cm_hot_quota_check(hot, "nobody@x", 101, 100), 0);
	assert_int_equal(cm_hot_quota_check(hot, "nobody@x", 1 << 30, 0), 1);
	assert_int_equal(cm_hot_user_count(hot), 0);	/* check adds nobody */

	cm_hot_quota_set(hot, "a@x", 10, 100);
	assert_int_equal(cm_hot_quota_get(hot, "a@x", &used, &max), 1);
	assert_int_equal(used, 10);
	assert_int_equal(max, 100);
	assert_int_equal(cm_hot_quota_get(hot, "a@x", NULL, NULL), 1);
	assert_int_equal(cm_hot_quota_get(hot, "A@x", NULL, NULL), 0);
	assert_int_equal(cm_hot_quota_check(hot, "a@x", 90, 5), 1);
	assert_int_equal(cm_hot_quota_check(hot, "a@x", 91, 1000), 0);

	cm_hot_quota_add(hot, "a@x", 40, 999);		/* known: max kept */
	cm_hot_quota_add(hot, "a@x", -5, 999);
	assert_int_equal(cm_hot_quota_get(hot, "a@x", &used, &max), 1);
	assert_int_equal(used, 45);
	assert_int_equal(max, 100);
	cm_hot_quota_add(hot, "a@x", -1000, 999);	/* clamps at 0 */
	assert_int_equal(cm_hot_quota_get(hot, "a@x", &used, NULL), 1);
	assert_int_equal(used, 0);
	cm_hot_quota_add(hot, "a@x", INT64_MAX, 999);
	cm_hot_quota_add(hot, "a@x", INT64_MAX, 999);
	assert_int_equal(cm_hot_quota_get(hot, "a@x", &used, NULL), 1);
	assert_true(used == INT64_MAX);

	cm_hot_quota_add(hot, "b@x", 7, 500);		/* unknown: default */
	assert_int_equal(cm_hot_quota_get(hot, "b@x", &used, &max), 1);
	assert_int_equal(used, 7);
	assert_int_equal(max, 500);

	cm_hot_quota_set_max(hot, "c@x", 300);		/* new: used 0 */
	assert_int_equal(cm_hot_quota_get(hot, "c@x", &used, &max), 1);
	assert_int_equal(used, 0);
	assert_int_equal(max, 300);
	cm_hot_quota_set_used(hot, "c@x", 299);
	assert_int_equal(cm_hot_quota_get(hot, "c@x", &used, &max), 1);
	assert_int_equal(used, 299);
	assert_int_equal(max, 300);
	assert_int_equal(cm_hot_quota_check(hot, "c@x", 1, 1), 1);
	assert_int_equal(cm_hot_quota_check(hot, "c@x", 2, 1000000), 0);

	cm_hot_quota_set_used(hot, "d@x", 123);		/* new: max 0 */
	assert_int_equal(cm_hot_quota_get(hot, "d@x", &used, &max), 1);
	assert_int_equal(used, 123);
	assert_int_equal(max, 0);
	assert_int_equal(cm_hot_quota_check(hot, "d@x", INT64_MAX, 1), 1);

	cm_hot_quota_set(hot, "e@x", -4, -9);		/* negatives = 0 */
	assert_int_equal(cm_hot_quota_get(hot, "e@x", &used, &max), 1);
	assert_int_equal(used, 0);
	assert_int_equal(max, 0);

	assert_int_equal(cm_hot_user_count(hot), 5);
	cm_hot_free(&hot);
	assert_null(hot);
}

/* test_counters_not_quota - counter users are not quota users */
static void test_counters_not_quota(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int64_t sent = -1, received = -1;

	(void) state;
	cm_hot_count_sent(hot, "u@x", 2);
	assert_int_equal(cm_hot_user_count(hot), 0);
	assert_int_equal(cm_hot_quota_get(hot, "u@x", NULL, NULL), 0);
	assert_int_equal(cm_hot_quota_check(hot, "u@x", 11, 10), 0);
	cm_hot_quota_set(hot, "q@x", 1, 2);
	assert_int_equal(cm_hot_counters_get(hot, "q@x", &sent, &received), 0);
	assert_int_equal(sent, -1);
	cm_hot_quota_add(hot, "u@x", 3, 50);
	assert_int_equal(cm_hot_user_count(hot), 2);
	assert_int_equal(cm_hot_counters_get(hot, "u@x", &sent, &received), 1);
	assert_int_equal(sent, 2);
	assert_int_equal(received, 0);
	cm_hot_free(&hot);
}

struct foreach_sum {
	size_t  n;
	int64_t used;
	int64_t max;
};

/* sum_quota - foreach callback adding up every entry */
static void sum_quota(const char *user, int64_t used, int64_t max, void *ctx)
{
	struct foreach_sum *sum = ctx;

	assert_non_null(user);
	sum->n++;
	sum->used += used;
	sum->max += max;
}

/* test_many_users - 200,000 users survive many rehashes */
static void test_many_users(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct foreach_sum sum = {0, 0, 0};
	int64_t used, max;
	char    user[64];
	size_t  i;

	(void) state;
	for (i = 0; i < N_MANY; i++) {
		snprintf(user, sizeof(user), "user%zu@example.org", i);
		cm_hot_quota_set(hot, user, (int64_t) i, (int64_t) i * 2 + 1);
	}
	assert_int_equal(cm_hot_user_count(hot), N_MANY);
	for (i = 0; i < N_MANY; i++) {
		snprintf(user, sizeof(user), "user%zu@example.org", i);
		if (cm_hot_quota_get(hot, user, &used, &max) != 1)
			fail_msg("%s lost", user);
		if (used != (int64_t) i || max != (int64_t) i * 2 + 1)
			fail_msg("%s: used %lld max %lld", user,
				 (long long) used, (long long) max);
	}
	assert_int_equal(cm_hot_quota_get(hot, "user200000@example.org",
					  NULL, NULL), 0);
	cm_hot_quota_foreach(hot, sum_quota, &sum);
	assert_int_equal(sum.n, N_MANY);
	assert_true(sum.used == (int64_t) N_MANY * (N_MANY - 1) / 2);
	assert_true(sum.max == (int64_t) N_MANY * (N_MANY - 1) + N_MANY);
	cm_hot_free(&hot);
}

/* test_counters - totals include pending; load keeps pending */
static void test_counters(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct cm_hot_pending p;
	int64_t sent, received;

	(void) state;
	assert_int_equal(cm_hot_counters_get(hot, "a@x", &sent, &received), 0);
	cm_hot_count_sent(hot, "a@x", 3);
	cm_hot_count_received(hot, "a@x", 5);
	cm_hot_count_sent(hot, "a@x", -7);		/* ignored */
	assert_int_equal(cm_hot_counters_get(hot, "a@x", &sent, &received), 1);
	assert_int_equal(sent, 3);
	assert_int_equal(received, 5);

	cm_hot_counters_load(hot, "a@x", 100, 200);
	assert_int_equal(cm_hot_counters_get(hot, "a@x", &sent, &received), 1);
	assert_int_equal(sent, 103);
	assert_int_equal(received, 205);

	assert_int_equal(cm_hot_pending_take(hot, &p), 1);
	assert_int_equal(p.n_counters, 1);
	assert_int_equal(p.n_feds, 0);
	assert_null(p.feds);
	assert_string_equal(p.counters[0].user, "a@x");
	assert_int_equal(p.counters[0].sent, 3);
	assert_int_equal(p.counters[0].received, 5);
	cm_hot_pending_free(&p);

	/* totals stay; a later load replaces the persisted part only */
	assert_int_equal(cm_hot_counters_get(hot, "a@x", &sent, &received), 1);
	assert_int_equal(sent, 103);
	assert_int_equal(received, 205);
	cm_hot_count_sent(hot, "a@x", 1);
	cm_hot_counters_load(hot, "a@x", 103, 205);
	assert_int_equal(cm_hot_counters_get(hot, "a@x", &sent, &received), 1);
	assert_int_equal(sent, 104);
	assert_int_equal(received, 205);

	cm_hot_counters_load(hot, "new@x", 9, 8);	/* load only */
	assert_int_equal(cm_hot_counters_get(hot, "new@x", &sent,
					     &received), 1);
	assert_int_equal(sent, 9);
	assert_int_equal(received, 8);
	assert_int_equal(cm_hot_pending_take(hot, &p), 1);
	assert_string_equal(p.counters[0].user, "a@x");
	assert_int_equal(p.counters[0].sent, 1);
	assert_int_equal(p.counters[0].received, 0);
	cm_hot_pending_free(&p);

	cm_hot_count_sent(hot, "big@x", INT64_MAX);
	cm_hot_count_sent(hot, "big@x", INT64_MAX);
	assert_int_equal(cm_hot_counters_get(hot, "big@x", &sent, NULL), 1);
	assert_true(sent == INT64_MAX);
	cm_hot_free(&hot);
}

/* counter_cmp - order counter deltas by user */
static int counter_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct cm_hot_counter_delta *) a)->user,
		       ((const struct cm_hot_counter_delta *) b)->user));
}

/* fed_cmp - order federation deltas by domain, then direction */
static int fed_cmp(const void *a, const void *b)
{
	const struct cm_hot_fed_delta *x = a;
	const struct cm_hot_fed_delta *y = b;
	int     diff = strcmp(x->domain, y->domain);

	return (diff ? diff : (int) x->dir - (int) y->dir);
}

/* assert_pending_equal - two snapshots hold the same deltas */
static void assert_pending_equal(struct cm_hot_pending *a,
				 struct cm_hot_pending *b)
{
	size_t  i;

	assert_int_equal(a->n_counters, b->n_counters);
	assert_int_equal(a->n_feds, b->n_feds);
	qsort(a->counters, a->n_counters, sizeof(*a->counters), counter_cmp);
	qsort(b->counters, b->n_counters, sizeof(*b->counters), counter_cmp);
	qsort(a->feds, a->n_feds, sizeof(*a->feds), fed_cmp);
	qsort(b->feds, b->n_feds, sizeof(*b->feds), fed_cmp);
	for (i = 0; i < a->n_counters; i++) {
		assert_string_equal(a->counters[i].user, b->counters[i].user);
		assert_int_equal(a->counters[i].sent, b->counters[i].sent);
		assert_int_equal(a->counters[i].received,
				 b->counters[i].received);
	}
	for (i = 0; i < a->n_feds; i++) {
		assert_string_equal(a->feds[i].domain, b->feds[i].domain);
		assert_int_equal(a->feds[i].dir, b->feds[i].dir);
		assert_int_equal(a->feds[i].messages, b->feds[i].messages);
		assert_int_equal(a->feds[i].rejections, b->feds[i].rejections);
		assert_int_equal(a->feds[i].last_seen, b->feds[i].last_seen);
	}
}

/* test_take_restore - take, restore, take again yields the same */
static void test_take_restore(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct cm_hot_pending p1, p2, p3;
	int64_t sent, received;
	char    user[32];
	int     i;

	(void) state;
	for (i = 0; i < 50; i++) {
		snprintf(user, sizeof(user), "u%d@x", i);
		cm_hot_count_sent(hot, user, i + 1);
		if (i % 3 == 0)
			cm_hot_count_received(hot, user, 2 * i + 1);
	}
	cm_hot_count_sent(hot, "zero@x", 0);		/* nothing pending */
	cm_hot_fed_record(hot, "a.org", CM_FED_IN, 4, 1, 1000);
	cm_hot_fed_record(hot, "a.org", CM_FED_OUT, 2, 0, 900);
	cm_hot_fed_record(hot, "b.org", CM_FED_OUT, 0, 3, 800);

	assert_int_equal(cm_hot_pending_take(hot, &p1), 53);
	assert_int_equal(p1.n_counters, 50);
	assert_int_equal(p1.n_feds, 3);
	assert_int_equal(cm_hot_pending_take(hot, &p2), 0);
	assert_int_equal(p2.n_counters + p2.n_feds, 0);
	cm_hot_pending_free(&p2);

	cm_hot_pending_restore(hot, &p1);
	assert_int_equal(cm_hot_counters_get(hot, "u3@x", &sent, &received),
			 1);
	assert_int_equal(sent, 4);			/* totals unchanged */
	assert_int_equal(received, 7);
	assert_int_equal(cm_hot_pending_take(hot, &p2), 53);
	assert_pending_equal(&p1, &p2);

	/* restore, then count more: the next take has both */
	cm_hot_pending_restore(hot, &p2);
	cm_hot_count_sent(hot, "u0@x", 10);
	assert_int_equal(cm_hot_pending_take(hot, &p3), 53);
	qsort(p3.counters, p3.n_counters, sizeof(*p3.counters), counter_cmp);
	assert_string_equal(p3.counters[0].user, "u0@x");
	assert_int_equal(p3.counters[0].sent, 11);
	assert_int_equal(p3.counters[0].received, 1);
	assert_int_equal(cm_hot_counters_get(hot, "u0@x", &sent, NULL), 1);
	assert_int_equal(sent, 11);

	cm_hot_pending_free(&p1);
	cm_hot_pending_free(&p1);			/* twice is fine */
	assert_null(p1.counters);
	assert_int_equal(p1.n_counters, 0);
	cm_hot_pending_free(&p2);
	cm_hot_pending_free(&p3);
	cm_hot_pending_free(NULL);
	cm_hot_free(&hot);
}

/* test_take_nothing - an idle hot state has nothing to flush */
static void test_take_nothing(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct cm_hot_pending p;

	(void) state;
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(cm_hot_pending_take(hot, &p), 0);
	assert_null(p.counters);
	assert_null(p.feds);
	assert_int_equal(p.n_counters, 0);
	assert_int_equal(p.n_feds, 0);
	cm_hot_pending_free(&p);

	cm_hot_quota_set(hot, "q@x", 1, 2);	/* quota is never pending */
	cm_hot_counters_load(hot, "q@x", 5, 5);
	cm_hot_fed_load(hot, "a.org", CM_FED_IN, 1, 1, 50);
	assert_int_equal(cm_hot_pending_take(hot, &p), 0);
	cm_hot_pending_free(&p);
	cm_hot_free(&hot);
}

/* test_fed - record, get, load, last_seen forward only */
static void test_fed(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct cm_hot_fed_stats st;
	struct cm_hot_pending p;

	(void) state;
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_IN, &st), 0);
	cm_hot_fed_record(hot, "a.org", CM_FED_IN, 2, 1, 1000);
	cm_hot_fed_record(hot, "a.org", CM_FED_IN, 1, 0, 500);	/* older */
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_IN, &st), 1);
	assert_int_equal(st.messages, 3);
	assert_int_equal(st.rejections, 1);
	assert_int_equal(st.last_seen, 1000);
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_OUT, &st), 0);
	assert_int_equal(cm_hot_fed_get(hot, "b.org", CM_FED_IN, NULL), 0);
	assert_int_equal(cm_hot_fed_count(hot), 1);

	cm_hot_fed_load(hot, "a.org", CM_FED_IN, 40, 10, 2000);
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_IN, &st), 1);
	assert_int_equal(st.messages, 43);
	assert_int_equal(st.rejections, 11);
	assert_int_equal(st.last_seen, 2000);
	cm_hot_fed_load(hot, "a.org", CM_FED_IN, 40, 10, 10);	/* older */
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_IN, &st), 1);
	assert_int_equal(st.last_seen, 2000);

	cm_hot_fed_record(hot, "b.org", CM_FED_OUT, 0, 0, 3000);
	cm_hot_fed_record(hot, "c.org", (enum cm_fed_dir) 7, 1, 1, 1);
	assert_int_equal(cm_hot_fed_count(hot), 2);
	assert_int_equal(cm_hot_pending_take(hot, &p), 2);
	assert_int_equal(p.n_feds, 2);
	qsort(p.feds, p.n_feds, sizeof(*p.feds), fed_cmp);
	assert_string_equal(p.feds[0].domain, "a.org");
	assert_int_equal(p.feds[0].dir, CM_FED_IN);
	assert_int_equal(p.feds[0].messages, 3);
	assert_int_equal(p.feds[0].rejections, 1);
	assert_int_equal(p.feds[0].last_seen, 2000);
	assert_string_equal(p.feds[1].domain, "b.org");
	assert_int_equal(p.feds[1].dir, CM_FED_OUT);
	assert_int_equal(p.feds[1].messages, 0);
	assert_int_equal(p.feds[1].last_seen, 3000);

	/* a newer last_seen after the take wins over the restored one */
	cm_hot_fed_record(hot, "b.org", CM_FED_OUT, 0, 0, 4000);
	cm_hot_pending_restore(hot, &p);
	cm_hot_pending_free(&p);
	assert_int_equal(cm_hot_fed_get(hot, "b.org", CM_FED_OUT, &st), 1);
	assert_int_equal(st.last_seen, 4000);
	assert_int_equal(cm_hot_fed_get(hot, "a.org", CM_FED_IN, &st), 1);
	assert_int_equal(st.messages, 43);			/* unchanged */
	assert_int_equal(cm_hot_pending_take(hot, &p), 2);
	qsort(p.feds, p.n_feds, sizeof(*p.feds), fed_cmp);
	assert_int_equal(p.feds[0].messages, 3);
	assert_int_equal(p.feds[1].last_seen, 4000);
	cm_hot_pending_free(&p);

	/* a record that changes nothing is not pending */
	cm_hot_fed_record(hot, "b.org", CM_FED_OUT, 0, 0, 4000);
	assert_int_equal(cm_hot_pending_take(hot, &p), 0);
	cm_hot_pending_free(&p);
	cm_hot_free(&hot);
}

struct worker {
	struct cm_hot *hot;
	int     id;
};

/* worker_main - hammer shared and private entries */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char    own[32];
	int     i;

	snprintf(own, sizeof(own), "own%d@x", w->id);
	for (i = 0; i < N_PER_THREAD; i++) {
		cm_hot_count_sent(w->hot, "shared@x", 1);
		cm_hot_count_received(w->hot, own, 1);
		cm_hot_quota_add(w->hot, "shared@x", 3, 0);
		cm_hot_fed_record(w->hot, "peer.org", CM_FED_OUT, 1, 0, i);
	}
	return (NULL);
}

/* test_concurrent - 4 threads x 100,000 give exact totals */
static void test_concurrent(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct worker w[N_THREADS];
	pthread_t tid[N_THREADS];
	struct cm_hot_fed_stats st;
	struct cm_hot_pending p;
	int64_t sent, received, used, sum;
	char    own[32];
	size_t  i;
	int     t;

	(void) state;
	for (t = 0; t < N_THREADS; t++) {
		w[t].hot = hot;
		w[t].id = t;
		assert_int_equal(pthread_create(tid + t, NULL, worker_main,
						w + t), 0);
	}
	for (t = 0; t < N_THREADS; t++)
		assert_int_equal(pthread_join(tid[t], NULL), 0);

	assert_int_equal(cm_hot_counters_get(hot, "shared@x", &sent, NULL), 1);
	assert_int_equal(sent, N_THREADS * N_PER_THREAD);
	assert_int_equal(cm_hot_quota_get(hot, "shared@x", &used, NULL), 1);
	assert_int_equal(used, 3 * N_THREADS * N_PER_THREAD);
	for (t = 0; t < N_THREADS; t++) {
		snprintf(own, sizeof(own), "own%d@x", t);
		assert_int_equal(cm_hot_counters_get(hot, own, NULL,
						     &received), 1);
		assert_int_equal(received, N_PER_THREAD);
	}
	assert_int_equal(cm_hot_fed_get(hot, "peer.org", CM_FED_OUT, &st), 1);
	assert_int_equal(st.messages, N_THREADS * N_PER_THREAD);
	assert_int_equal(st.last_seen, N_PER_THREAD - 1);

	assert_int_equal(cm_hot_pending_take(hot, &p), N_THREADS + 2);
	for (sum = 0, i = 0; i < p.n_counters; i++)
		sum += p.counters[i].sent + p.counters[i].received;
	assert_int_equal(sum, 2 * N_THREADS * N_PER_THREAD);
	cm_hot_pending_free(&p);
	cm_hot_free(&hot);
}

/* test_free_null - cm_hot_free accepts NULL and resets the pointer */
static void test_free_null(void **state)
{
	struct cm_hot *hot = NULL;

	(void) state;
	cm_hot_free(NULL);
	cm_hot_free(&hot);
	assert_null(hot);
	hot = cm_hot_new();
	assert_non_null(hot);
	cm_hot_quota_set(hot, "a@x", 1, 1);
	cm_hot_count_sent(hot, "a@x", 1);
	cm_hot_fed_record(hot, "a.org", CM_FED_IN, 1, 0, 1);
	cm_hot_free(&hot);			/* with pending left over */
	assert_null(hot);
	cm_hot_free(&hot);
}

/* test_rate_burst - a full bucket of 10, then limited */
static void test_rate_burst(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int     i;

	(void) state;
	for (i = 0; i < 10; i++)
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 5000, 60, 10), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 5000, 60, 10), 0);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 5000, 60, 10), 0);
	/* a bucket is not a quota entry and has no counters */
	assert_int_equal(cm_hot_user_count(hot), 0);
	assert_int_equal(cm_hot_quota_get(hot, "a@x", NULL, NULL), 0);
	assert_int_equal(cm_hot_counters_get(hot, "a@x", NULL, NULL), 0);
	assert_int_equal(cm_hot_quota_check(hot, "a@x", 11, 10), 0);
	assert_int_equal(cm_hot_quota_check(hot, "a@x", 10, 10), 1);
	cm_hot_free(&hot);
}

/* test_rate_refill - 60/min refills exactly one token a second */
static void test_rate_refill(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int     i;

	(void) state;
	for (i = 0; i < 10; i++)
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 60, 10), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 60, 10), 0);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 999, 60, 10), 0);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 1000, 60, 10), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 1000, 60, 10), 0);
	/* 1 token a second, in 100 ms steps: no drift */
	for (i = 1; i <= 100; i++)
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 1000 + i * 100,
						  60, 10), i % 10 == 0);
	/* a long pause refills to burst, not beyond */
	for (i = 0; i < 10; i++)
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 3600000, 60,
						  10), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 3600000, 60, 10), 0);
	/* 1/min: one token after 60 s, not before */
	for (i = 0; i < 2; i++)
		assert_int_equal(cm_hot_rate_take(hot, "s@x", 0, 1, 2), 1);
	assert_int_equal(cm_hot_rate_take(hot, "s@x", 59999, 1, 2), 0);
	assert_int_equal(cm_hot_rate_take(hot, "s@x", 60000, 1, 2), 1);
	cm_hot_free(&hot);
}

/* test_rate_independent - one user's bucket does not touch another's */
static void test_rate_independent(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int     i;

	(void) state;
	cm_hot_quota_set(hot, "b@x", 5, 100);
	for (i = 0; i < 3; i++)
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 60, 3), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 60, 3), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(cm_hot_rate_take(hot, "b@x", 0, 60, 3), 1);
	assert_int_equal(cm_hot_rate_take(hot, "b@x", 0, 60, 3), 0);
	assert_int_equal(cm_hot_rate_take(hot, "A@x", 0, 60, 3), 1);
	/* the quota entry sharing the user entry is untouched */
	assert_int_equal(cm_hot_user_count(hot), 1);
	assert_int_equal(cm_hot_quota_check(hot, "b@x", 95, 0), 1);
	assert_int_equal(cm_hot_quota_check(hot, "b@x", 96, 0), 0);
	cm_hot_free(&hot);
}

/* test_rate_unlimited - per_minute <= 0 never limits; odd bursts */
static void test_rate_unlimited(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int     i;

	(void) state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 0, 1), 1);
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, -5, 0), 1);
		assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, INT64_MIN,
						  1), 1);
	}
	assert_int_equal(cm_hot_rate_take(NULL, "a@x", 0, 60, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, NULL, 0, 60, 1), 1);
	/* burst < 1 counts as 1 */
	assert_int_equal(cm_hot_rate_take(hot, "z@x", 0, 60, 0), 1);
	assert_int_equal(cm_hot_rate_take(hot, "z@x", 0, 60, 0), 0);
	assert_int_equal(cm_hot_rate_take(hot, "y@x", 0, 60, -7), 1);
	assert_int_equal(cm_hot_rate_take(hot, "y@x", 0, 60, INT64_MIN), 0);
	/* a lowered burst caps the tokens left */
	for (i = 0; i < 2; i++)
		assert_int_equal(cm_hot_rate_take(hot, "w@x", 0, 60, 100), 1);
	assert_int_equal(cm_hot_rate_take(hot, "w@x", 0, 60, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, "w@x", 0, 60, 1), 0);
	cm_hot_free(&hot);
}

/* test_rate_backwards - an earlier clock refills nothing */
static void test_rate_backwards(void **state)
{
	struct cm_hot *hot = cm_hot_new();

	(void) state;
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 100000, 60, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 0, 60, 1), 0);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", -100000, 60, 1), 0);
	/* back at the old time: still nothing earned */
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 100999, 60, 1), 0);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 101000, 60, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", 101000, 60, 1), 0);
	cm_hot_free(&hot);
}

/* test_rate_huge - extreme clocks, rates and bursts do not overflow */
static void test_rate_huge(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	int     i;

	(void) state;
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MIN, 60, 2), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MIN, 60, 2), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MIN, 60, 2), 0);
	/* the whole range of the clock at once: refilled to burst only */
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MAX, 60, 2), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MAX, 60, 2), 1);
	assert_int_equal(cm_hot_rate_take(hot, "a@x", INT64_MAX, 60, 2), 0);
	/* huge rate: one ms refills the whole (huge) burst */
	assert_int_equal(cm_hot_rate_take(hot, "b@x", INT64_MAX - 10,
					  INT64_MAX, INT64_MAX), 1);
	assert_int_equal(cm_hot_rate_take(hot, "b@x", INT64_MAX - 9,
					  INT64_MAX, INT64_MAX), 1);
	/* huge rate, burst 1 */
	for (i = 0; i < 3; i++) {
		assert_int_equal(cm_hot_rate_take(hot, "c@x", INT64_MAX - 3 + i,
						  INT64_MAX, 1), 1);
		assert_int_equal(cm_hot_rate_take(hot, "c@x", INT64_MAX - 3 + i,
						  INT64_MAX, 1), 0);
	}
	/* a huge gap at a slow rate */
	assert_int_equal(cm_hot_rate_take(hot, "d@x", -1, 1, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, "d@x", INT64_MAX, 1, 1), 1);
	assert_int_equal(cm_hot_rate_take(hot, "d@x", INT64_MAX, 1, 1), 0);
	cm_hot_free(&hot);
}

/* main - run every test */
static void collect_fed(const char *domain, enum cm_fed_dir dir,
			const struct cm_hot_fed_stats *stats, void *ctx)
{
	int64_t *sum = ctx;

	assert_true(strcmp(domain, "a.example") == 0
		    || strcmp(domain, "b.example") == 0);
	sum[dir] += stats->messages;
	sum[2]++;
}

/* test_totals_and_fed_foreach - sums over users, every domain side */
static void test_totals_and_fed_foreach(void **state)
{
	struct cm_hot *hot = cm_hot_new();
	struct cm_hot_totals t;
	int64_t sum[3] = { 0, 0, 0 };

	(void) state;
	cm_hot_quota_set(hot, "a@x.org", 100, 1000);
	cm_hot_quota_set(hot, "b@x.org", INT64_MAX, 1000);
	cm_hot_count_sent(hot, "a@x.org", 3);
	cm_hot_count_received(hot, "c@x.org", 4);	/* counters only */
	cm_hot_fed_record(hot, "a.example", CM_FED_IN, 2, 0, 10);
	cm_hot_fed_record(hot, "a.example", CM_FED_OUT, 5, 0, 10);
	cm_hot_fed_record(hot, "b.example", CM_FED_IN, 1, 1, 10);
	cm_hot_totals(hot, &t);
	assert_int_equal(t.quota_users, 2);
	assert_true(t.used == INT64_MAX);	/* saturated, no overflow */
	assert_int_equal(t.sent, 3);
	assert_int_equal(t.received, 4);
	assert_int_equal(t.fed_domains, 2);
	cm_hot_fed_foreach(hot, collect_fed, sum);
	assert_int_equal(sum[CM_FED_IN], 3);
	assert_int_equal(sum[CM_FED_OUT], 5);
	assert_int_equal(sum[2], 3);	/* a in, a out, b in */
	cm_hot_free(&hot);
	cm_hot_totals(NULL, &t);
	assert_int_equal(t.quota_users, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_and_fed_foreach),
		cmocka_unit_test(test_quota_allows),
		cmocka_unit_test(test_sat_add),
		cmocka_unit_test(test_quota_cache),
		cmocka_unit_test(test_counters_not_quota),
		cmocka_unit_test(test_many_users),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_take_restore),
		cmocka_unit_test(test_take_nothing),
		cmocka_unit_test(test_fed),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_rate_burst),
		cmocka_unit_test(test_rate_refill),
		cmocka_unit_test(test_rate_independent),
		cmocka_unit_test(test_rate_unlimited),
		cmocka_unit_test(test_rate_backwards),
		cmocka_unit_test(test_rate_huge),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
