/*++
 * NAME
 *	cm_hydrate 3
 * SUMMARY
 *	fill the hot state from the store and the Maildir tree
 * DESCRIPTION
 *	See cm_hydrate.h. cm_hydrate_run() works in this order: parse the
 *	layout, load the settings snapshot, the quota rows (max), the
 *	counters and the federation stats, then walk the mail root. The walk
 *	only collects (user, Maildir) pairs; their usage is then computed by
 *	up to CM_HYDRATE_MAX_THREADS threads (the calling thread included,
 *	never more than the CPUs online), which take users from a shared
 *	atomic index. Results are applied to the hot state by the calling
 *	thread, in walk order, after the workers are done, so on_error is
 *	only ever called from the calling thread.
 *
 *	User names are used as the walk reports them (the directory names):
 *	Dovecot's %Lu layouts make them lowercase already. The quota rows
 *	are kept in a local string set so that rows whose user was not seen
 *	on disk are set to used = 0 in O(1) each.
 *
 *	A user found on disk without a hot quota entry gets
 *	default_quota_bytes (or default_max) as its max before its used
 *	bytes are set: cm_hot_quota_set_used() alone would create the entry
 *	with max 0, which means unlimited.
 *--*/

#include "cm_hydrate.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_counters.h"
#include "cm_federation.h"
#include "cm_layout.h"
#include "cm_maildir.h"
#include "cm_quotas.h"

#define CM_HYDRATE_MAX_THREADS	4
#define CM_HYDRATE_MIN_PER_THREAD 64	/* fewer users: no extra thread */

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* One user found by the walk, and its computed usage. */
struct hy_item {
	char *user;
	char *maildir;
	struct cm_maildir_usage usage;
	struct cm_error *err;	/* set when the usage failed */
};

/* An open-addressing set of user names (the quota rows). */
struct hy_set_slot {
	char *key;
	int seen;
};

struct hy_set {
	struct hy_set_slot *slots;
	size_t size;		/* power of two */
	size_t count;
};

/* State of one cm_hydrate_run(). */
struct hy_run {
	struct cm_hot *hot;
	const struct cm_hydrate_options *opts;
	struct cm_hydrate_report *report;
	struct hy_set quota_users;
	struct hy_item *items;
	size_t n_items;
	size_t cap_items;
	atomic_size_t next;	/* next item a worker takes */
};

/* xmalloc - malloc that aborts on OOM */
static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	return (p);
}

/* xstrdup - strdup that aborts on OOM */
static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return (p);
}

/* hy_hash - FNV-1a of a string */
static size_t hy_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char) *s) * 1099511628211ULL;
	return ((size_t) h);
}

/* hy_set_slot - the slot of key, or the empty slot where it belongs */
static struct hy_set_slot *hy_set_slot(const struct hy_set *set,
				       const char *key)
{
	size_t i = hy_hash(key) & (set->size - 1);

	while (set->slots[i].key != NULL && strcmp(set->slots[i].key, key) != 0)
		i = (i + 1) & (set->size - 1);
	return (&set->slots[i]);
}

/* hy_set_grow - double the table (keeps load factor under 1/2) */
static void hy_set_grow(struct hy_set *set)
{
	struct hy_set_slot *old = set->slots;
	size_t old_size = set->size, i;

	set->size = old_size ? old_size * 2 : 64;
	set->slots = calloc(set->size, sizeof(*set->slots));
	if (set->slots == NULL)
		abort();
	for (i = 0; i < old_size; i++)
		if (old[i].key != NULL)
			*hy_set_slot(set, old[i].key) = old[i];
	free(old);
}

/* hy_set_add - insert a copy of key (no-op when present) */
static void hy_set_add(struct hy_set *set, const char *key)
{
	struct hy_set_slot *slot;

	if ((set->count + 1) * 2 > set->size)
		hy_set_grow(set);
	slot = hy_set_slot(set, key);
	if (slot->key == NULL) {
		slot->key = xstrdup(key);
		slot->seen = 0;
		set->count++;
	}
}

/* hy_set_mark - flag key as seen on disk, when it is in the set */
static void hy_set_mark(struct hy_set *set, const char *key)
{
	struct hy_set_slot *slot;

	if (set->size == 0)
		return;
	slot = hy_set_slot(set, key);
	if (slot->key != NULL)
		slot->seen = 1;
}

/* hy_set_free - release the set */
static void hy_set_free(struct hy_set *set)
{
	size_t i;

	for (i = 0; i < set->size; i++)
		free(set->slots[i].key);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* hy_report_error - count a failure and pass it to opts->on_error */
static void hy_report_error(struct hy_run *run, const char *what,
			    const struct cm_error *err)
{
	run->report->failed++;
	if (run->opts->on_error)
		run->opts->on_error(what, err, run->opts->ctx);
}

/* load_quota - cm_quotas_foreach() callback: max into hot, user into set */
static int load_quota(const struct cm_quota_row *row, void *ctx)
{
	struct hy_run *run = ctx;

	cm_hot_quota_set_max(run->hot, row->user, row->max_storage);
	hy_set_add(&run->quota_users, row->user);
	return (0);
}

/* load_counter - cm_counters_foreach() callback */
static int load_counter(const struct cm_counter_row *row, void *ctx)
{
	struct hy_run *run = ctx;

	cm_hot_counters_load(run->hot, row->user, row->sent, row->received);
	return (0);
}

/* load_fed_stats - cm_federation_stats_foreach() callback */
static int load_fed_stats(const struct cm_fed_stats_row *row, void *ctx)
{
	struct hy_run *run = ctx;

	cm_hot_fed_load(run->hot, row->domain, row->dir, row->messages,
			row->rejections, row->last_seen);
	return (0);
}

/* load_store - settings, quotas, counters and federation stats */
static int load_store(struct hy_run *run, struct cm_store *store,
		      struct cm_error *err)
{
	if (cm_settings_load(store, &run->report->settings, err) < 0)
		return (-1);
	if (cm_quotas_foreach(store, load_quota, run, err) < 0)
		return (-1);
	if (cm_counters_foreach(store, load_counter, run, err) < 0)
		return (-1);
	if (cm_federation_stats_foreach(store, load_fed_stats, run, err) < 0)
		return (-1);
	return (0);
}

/* collect_user - cm_layout_walk() callback: remember the user */
static int collect_user(const char *user, const char *maildir, void *ctx)
{
	struct hy_run *run = ctx;
	struct hy_item *item;

	if (run->n_items == run->cap_items) {
		run->cap_items = run->cap_items ? run->cap_items * 2 : 1024;
		run->items = realloc(run->items,
				     run->cap_items * sizeof(*run->items));
		if (run->items == NULL)
			abort();
	}
	item = &run->items[run->n_items++];
	memset(item, 0, sizeof(*item));
	item->user = xstrdup(user);
	item->maildir = xstrdup(maildir);
	return (0);
}

/* walk_error - cm_layout_walk() callback for an unreadable directory */
static void walk_error(const char *path, const struct cm_error *err,
		       void *ctx)
{
	hy_report_error(ctx, path, err);
}

/* usage_worker - compute the usage of items until none is left */
static void *usage_worker(void *ctx)
{
	struct hy_run *run = ctx;
	struct hy_item *item;
	struct cm_error err;
	size_t i;

	while ((i = atomic_fetch_add(&run->next, 1)) < run->n_items) {
		item = &run->items[i];
		cm_error_clear(&err);
		if (cm_maildir_usage(item->maildir, &item->usage, &err) < 0) {
			item->err = xmalloc(sizeof(*item->err));
			*item->err = err;
		}
	}
	return (NULL);
}

/* compute_usage - run usage_worker in this thread and a few more */
static void compute_usage(struct hy_run *run)
{
	pthread_t threads[CM_HYDRATE_MAX_THREADS - 1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want, started = 0, i;

	want = run->n_items / CM_HYDRATE_MIN_PER_THREAD;
	if (cpus > 0 && want > (size_t) cpus)
		want = (size_t) cpus;
	if (want > CM_HYDRATE_MAX_THREADS)
		want = CM_HYDRATE_MAX_THREADS;
	atomic_store(&run->next, 0);
	/* A thread that cannot be created just leaves more to the others. */
	for (i = 1; i < want; i++)
		if (pthread_create(&threads[started], NULL, usage_worker,
				   run) == 0)
			started++;
	usage_worker(run);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

/* ensure_max - give a user without a hot quota entry the default max */
static void ensure_max(struct cm_hot *hot, const char *user,
		       int64_t default_max)
{
	if (!cm_hot_quota_get(hot, user, NULL, NULL))
		cm_hot_quota_set_max(hot, user, default_max);
}

/* apply_results - usage into hot; report failures; zero unseen rows */
static void apply_results(struct hy_run *run)
{
	struct cm_hydrate_report *report = run->report;
	struct hy_item *item;
	size_t i;

	for (i = 0; i < run->n_items; i++) {
		item = &run->items[i];
		hy_set_mark(&run->quota_users, item->user);
		if (item->err != NULL) {
			hy_report_error(run, item->user, item->err);
			continue;
		}
		ensure_max(run->hot, item->user,
			   report->settings.default_quota_bytes);
		cm_hot_quota_set_used(run->hot, item->user, item->usage.bytes);
		report->files += item->usage.files;
		report->bytes = cm_sat_add(report->bytes, item->usage.bytes);
		report->stat_fallbacks += item->usage.stat_fallbacks;
	}
	report->users = run->n_items;
	for (i = 0; i < run->quota_users.size; i++)
		if (run->quota_users.slots[i].key != NULL
		    && !run->quota_users.slots[i].seen)
			cm_hot_quota_set_used(run->hot,
					      run->quota_users.slots[i].key, 0);
}

/* free_items - release the collected users */
static void free_items(struct hy_run *run)
{
	size_t i;

	for (i = 0; i < run->n_items; i++) {
		free(run->items[i].user);
		free(run->items[i].maildir);
		free(run->items[i].err);
	}
	free(run->items);
	run->items = NULL;
	run->n_items = run->cap_items = 0;
}

/* cm_hydrate_run - store + Maildir tree -> hot state */
int cm_hydrate_run(struct cm_store *store, struct cm_hot *hot,
		   const struct cm_hydrate_options *opts,
		   struct cm_hydrate_report *report_r, struct cm_error *err)
{
	struct cm_layout *layout;
	struct hy_run run;
	int ret = -1;

	memset(report_r, 0, sizeof(*report_r));
	if (opts == NULL || opts->mail_root == NULL) {
		cm_error_set(err, CM_ERR_INVALID, 0, "hydrate: no mail root");
		return (-1);
	}
	if (cm_layout_parse(opts->layout ? opts->layout : CM_LAYOUT_DEFAULT,
			    &layout, err) < 0)
		return (-1);
	memset(&run, 0, sizeof(run));
	run.hot = hot;
	run.opts = opts;
	run.report = report_r;
	if (load_store(&run, store, err) == 0
	    && cm_layout_walk(layout, opts->mail_root, collect_user,
			      walk_error, &run, err) >= 0) {
		compute_usage(&run);
		apply_results(&run);
		ret = 0;
	}
	free_items(&run);
	hy_set_free(&run.quota_users);
	cm_layout_free(&layout);
	return (ret);
}

/* cm_hydrate_user - recompute one user's used bytes */
int cm_hydrate_user(struct cm_hot *hot, const struct cm_hydrate_options *opts,
		    const char *user, int64_t default_max,
		    struct cm_error *err)
{
	struct cm_layout *layout;
	struct cm_maildir_usage usage;
	struct stat st;
	char path[PATH_MAX];
	int ret;

	if (opts == NULL || opts->mail_root == NULL) {
		cm_error_set(err, CM_ERR_INVALID, 0, "hydrate: no mail root");
		return (-1);
	}
	if (cm_layout_parse(opts->layout ? opts->layout : CM_LAYOUT_DEFAULT,
			    &layout, err) < 0)
		return (-1);
	ret = cm_layout_path(layout, opts->mail_root, user, path,
			     sizeof(path), err);
	cm_layout_free(&layout);
	if (ret < 0)
		return (-1);
	memset(&usage, 0, sizeof(usage));
	if (stat(path, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			ret = errno;
			cm_error_set(err, CM_ERR_IO, ret, "stat(%s): %s", path,
				     strerror(ret));
			return (-1);
		}
		ret = 0;
	} else if (!S_ISDIR(st.st_mode)) {
		ret = 0;
	} else if (cm_maildir_usage(path, &usage, err) < 0) {
		return (-1);
	} else {
		ret = 1;
	}
	ensure_max(hot, user, default_max);
	cm_hot_quota_set_used(hot, user, usage.bytes);
	return (ret);
}
