/*++
 * NAME
 *	cm_hot 3
 * SUMMARY
 *	the in-RAM hot state owned by chatmail-policyd
 * DESCRIPTION
 *	See cm_hot.h. Users and federation domains live in two hash
 *	tables (cm_strmap, keyed by the key inside the entry). Every entry
 *	is allocated once, together with its key, and freed only by
 *	cm_hot_free(), so the dirty lists hold plain pointers that stay
 *	valid across a rehash.
 *
 *	An entry goes on its dirty list the first time it gets a pending
 *	delta after a snapshot; its dirty flag keeps it from being listed
 *	twice. cm_hot_pending_take() walks the dirty lists only.
 *
 *	Rate buckets live in the user entries too (has_rate), so a user
 *	known only through its bucket has neither a quota entry nor
 *	counters. Tokens are kept in units of 1/60000 token: refilling at
 *	per_minute tokens a minute then adds exactly per_minute units a
 *	millisecond, with no rounding and no drift. The bucket remembers
 *	the latest time it saw; an earlier now_ms refills nothing and does
 *	not move that time back, so no interval is ever refilled twice.
 *
 *	Out of memory aborts the process.
 *--*/

#include "cm_hot.h"
#include "cm_strmap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define HOT_RATE_UNIT	INT64_C(60000)	/* units a token; ms a minute */
#define HOT_RATE_BURST_MAX (INT64_MAX / HOT_RATE_UNIT)

/* The common head of every table entry. */
struct hot_key {
	char   *key;			/* stored right behind the entry */
	int     dirty;			/* on its dirty list */
};

struct hot_user {
	struct hot_key head;		/* must stay first */
	int     has_quota;
	int     has_counters;
	int64_t used;
	int64_t max;
	int64_t sent;			/* totals, pending included */
	int64_t received;
	int64_t sent_pending;
	int64_t received_pending;
	int     has_rate;		/* a rate bucket exists */
	int64_t rate_units;		/* tokens * HOT_RATE_UNIT */
	int64_t rate_last_ms;		/* latest now_ms seen */
};

struct hot_fed_side {
	int     present;		/* touched at least once */
	int     last_seen_pending;	/* moved since the last snapshot */
	int64_t messages;		/* totals, pending included */
	int64_t rejections;
	int64_t last_seen;
	int64_t messages_pending;
	int64_t rejections_pending;
};

struct hot_fed {
	struct hot_key head;		/* must stay first */
	struct hot_fed_side side[2];	/* indexed by enum cm_fed_dir */
};

struct hot_list {
	struct hot_key **items;
	size_t  len;
	size_t  cap;
};

struct cm_hot {
	pthread_mutex_t lock;
	struct cm_strmap users;		/* of struct hot_user */
	struct cm_strmap feds;		/* of struct hot_fed */
	struct hot_list dirty_users;
	struct hot_list dirty_feds;
	size_t  quota_users;		/* users with a quota entry */
};

/* hot_xcalloc - zeroed memory or abort */
static void *hot_xcalloc(size_t nmemb, size_t size)
{
	void   *ptr = calloc(nmemb, size);

	if (ptr == NULL)
		abort();
	return (ptr);
}

/* hot_xrealloc - resized memory or abort */
static void *hot_xrealloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size);
	if (ptr == NULL)
		abort();
	return (ptr);
}

/* hot_xstrdup - copy a string or abort */
static char *hot_xstrdup(const char *str)
{
	size_t  len = strlen(str) + 1;
	char   *copy = hot_xcalloc(1, len);

	memcpy(copy, str, len);
	return (copy);
}

/* hot_lock - take the mutex; failure is a bug */
static void hot_lock(struct cm_hot *hot)
{
	if (pthread_mutex_lock(&hot->lock) != 0)
		abort();
}

/* hot_unlock - release the mutex; failure is a bug */
static void hot_unlock(struct cm_hot *hot)
{
	if (pthread_mutex_unlock(&hot->lock) != 0)
		abort();
}

/* hot_clamp0 - negative values count as 0 */
static int64_t hot_clamp0(int64_t value)
{
	return (value < 0 ? 0 : value);
}

/* table_lookup - find key; with create, add a zeroed entry of entry_size */
static struct hot_key *table_lookup(struct cm_strmap *table, const char *key,
				    size_t entry_size, int create)
{
	uint64_t hash = cm_strmap_hash(key);
	struct hot_key *entry = cm_strmap_find(table, key, hash);
	size_t  len;

	if (entry != NULL || !create)
		return (entry);
	len = strlen(key);
	entry = hot_xcalloc(1, entry_size + len + 1);
	entry->key = (char *) entry + entry_size;
	memcpy(entry->key, key, len + 1);
	cm_strmap_insert(table, hash, entry->key, entry);
	return (entry);
}

/* list_mark - put an entry on a dirty list unless it is there */
static void list_mark(struct hot_list *list, struct hot_key *entry)
{
	if (entry->dirty)
		return;
	if (list->len == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 64;
		list->items = hot_xrealloc(list->items,
					   list->cap * sizeof(*list->items));
	}
	list->items[list->len++] = entry;
	entry->dirty = 1;
}

/* user_lookup - the user's entry, created on demand */
static struct hot_user *user_lookup(struct cm_hot *hot, const char *user,
				    int create)
{
	return ((struct hot_user *) table_lookup(&hot->users, user,
					    sizeof(struct hot_user), create));
}

/* user_quota - the user's entry with a quota part, created on demand */
static struct hot_user *user_quota(struct cm_hot *hot, const char *user,
				   int64_t max)
{
	struct hot_user *u = user_lookup(hot, user, 1);

	if (!u->has_quota) {
		u->has_quota = 1;
		u->used = 0;
		u->max = hot_clamp0(max);
		hot->quota_users++;
	}
	return (u);
}

/* fed_side - the (domain, dir) record, created on demand */
static struct hot_fed_side *fed_side(struct cm_hot *hot, const char *domain,
				     enum cm_fed_dir dir, int create,
				     struct hot_fed **fed_r)
{
	struct hot_fed *fed;

	fed = (struct hot_fed *) table_lookup(&hot->feds, domain,
					      sizeof(struct hot_fed), create);
	if (fed == NULL)
		return (NULL);
	if (create)
		fed->side[dir].present = 1;
	else if (!fed->side[dir].present)
		return (NULL);
	if (fed_r != NULL)
		*fed_r = fed;
	return (fed->side + dir);
}

/* fed_dir_ok - 1 for a known direction */
static int fed_dir_ok(enum cm_fed_dir dir)
{
	return (dir == CM_FED_IN || dir == CM_FED_OUT);
}

/* cm_sat_add - saturating a + b clamped to [0, INT64_MAX] */
int64_t cm_sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return (INT64_MAX);
	if (b < 0 && a < INT64_MIN - b)
		return (0);
	return (hot_clamp0(a + b));
}

/* cm_quota_allows - refused iff used + incoming > max; max 0 unlimited */
int cm_quota_allows(int64_t used, int64_t max, int64_t incoming)
{
	used = hot_clamp0(used);
	max = hot_clamp0(max);
	incoming = hot_clamp0(incoming);
	if (max == 0)
		return (1);
	if (used > max)
		return (0);
	return (incoming <= max - used);
}

/* cm_hot_new - an empty hot state */
struct cm_hot *cm_hot_new(void)
{
	struct cm_hot *hot = hot_xcalloc(1, sizeof(*hot));

	if (pthread_mutex_init(&hot->lock, NULL) != 0)
		abort();
	return (hot);
}

/* cm_hot_free - release everything and reset the caller's pointer */
void cm_hot_free(struct cm_hot **hot)
{
	struct cm_hot *h;

	if (hot == NULL || (h = *hot) == NULL)
		return;
	cm_strmap_free(&h->users, free);
	cm_strmap_free(&h->feds, free);
	free(h->dirty_users.items);
	free(h->dirty_feds.items);
	pthread_mutex_destroy(&h->lock);
	free(h);
	*hot = NULL;
}

/* cm_hot_quota_set - set used and max, creating the user */
void cm_hot_quota_set(struct cm_hot *hot, const char *user,
		      int64_t used, int64_t max)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	hot_lock(hot);
	u = user_quota(hot, user, max);
	u->used = hot_clamp0(used);
	u->max = hot_clamp0(max);
	hot_unlock(hot);
}

/* cm_hot_quota_set_max - set max; a new user starts with used 0 */
void cm_hot_quota_set_max(struct cm_hot *hot, const char *user, int64_t max)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	hot_lock(hot);
	u = user_quota(hot, user, max);
	u->max = hot_clamp0(max);
	hot_unlock(hot);
}

/* cm_hot_quota_set_used - set used; a new user starts with max 0 */
void cm_hot_quota_set_used(struct cm_hot *hot, const char *user, int64_t used)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	hot_lock(hot);
	u = user_quota(hot, user, 0);
	u->used = hot_clamp0(used);
	hot_unlock(hot);
}

/* cm_hot_quota_add - add delta to used; a new user gets default_max */
void cm_hot_quota_add(struct cm_hot *hot, const char *user, int64_t delta,
		      int64_t default_max)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	hot_lock(hot);
	u = user_quota(hot, user, default_max);
	u->used = cm_sat_add(u->used, delta);
	hot_unlock(hot);
}

/* cm_hot_quota_get - the user's cached used and max */
int cm_hot_quota_get(struct cm_hot *hot, const char *user,
		     int64_t *used_r, int64_t *max_r)
{
	struct hot_user *u;
	int     found = 0;

	if (hot == NULL || user == NULL)
		return (0);
	hot_lock(hot);
	u = user_lookup(hot, user, 0);
	if (u != NULL && u->has_quota) {
		found = 1;
		if (used_r != NULL)
			*used_r = u->used;
		if (max_r != NULL)
			*max_r = u->max;
	}
	hot_unlock(hot);
	return (found);
}

/* cm_hot_quota_check - would incoming bytes fit the user's quota? */
int cm_hot_quota_check(struct cm_hot *hot, const char *user,
		       int64_t incoming, int64_t default_max)
{
	struct hot_user *u;
	int64_t used = 0;
	int64_t max = default_max;

	if (hot != NULL && user != NULL) {
		hot_lock(hot);
		u = user_lookup(hot, user, 0);
		if (u != NULL && u->has_quota) {
			used = u->used;
			max = u->max;
		}
		hot_unlock(hot);
	}
	return (cm_quota_allows(used, max, incoming));
}

/* cm_hot_user_count - number of users with a quota entry */
size_t cm_hot_user_count(struct cm_hot *hot)
{
	size_t  count;

	if (hot == NULL)
		return (0);
	hot_lock(hot);
	count = hot->quota_users;
	hot_unlock(hot);
	return (count);
}

/* cm_hot_quota_foreach - call fn for every user with a quota entry */
void cm_hot_quota_foreach(struct cm_hot *hot,
			  void (*fn)(const char *user, int64_t used,
				     int64_t max, void *ctx), void *ctx)
{
	struct hot_user *u;
	size_t  i;

	if (hot == NULL || fn == NULL)
		return;
	hot_lock(hot);
	for (i = 0; i < hot->users.size; i++) {
		u = (struct hot_user *) hot->users.slots[i].value;
		if (u != NULL && u->has_quota)
			fn(u->head.key, u->used, u->max, ctx);
	}
	hot_unlock(hot);
}

/* hot_count - add n to one counter of a user, total and pending */
static void hot_count(struct cm_hot *hot, const char *user, int64_t n,
		      int received)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	n = hot_clamp0(n);
	hot_lock(hot);
	u = user_lookup(hot, user, 1);
	u->has_counters = 1;
	if (received) {
		u->received = cm_sat_add(u->received, n);
		u->received_pending = cm_sat_add(u->received_pending, n);
	} else {
		u->sent = cm_sat_add(u->sent, n);
		u->sent_pending = cm_sat_add(u->sent_pending, n);
	}
	if (n > 0)
		list_mark(&hot->dirty_users, &u->head);
	hot_unlock(hot);
}

/* cm_hot_count_sent - count n messages sent by user */
void cm_hot_count_sent(struct cm_hot *hot, const char *user, int64_t n)
{
	hot_count(hot, user, n, 0);
}

/* cm_hot_count_received - count n messages received by user */
void cm_hot_count_received(struct cm_hot *hot, const char *user, int64_t n)
{
	hot_count(hot, user, n, 1);
}

/* cm_hot_counters_load - set the persisted totals, keep pending */
void cm_hot_counters_load(struct cm_hot *hot, const char *user,
			  int64_t sent, int64_t received)
{
	struct hot_user *u;

	if (hot == NULL || user == NULL)
		return;
	hot_lock(hot);
	u = user_lookup(hot, user, 1);
	u->has_counters = 1;
	u->sent = cm_sat_add(hot_clamp0(sent), u->sent_pending);
	u->received = cm_sat_add(hot_clamp0(received), u->received_pending);
	hot_unlock(hot);
}

/* cm_hot_counters_get - the user's totals, pending included */
int cm_hot_counters_get(struct cm_hot *hot, const char *user,
			int64_t *sent_r, int64_t *received_r)
{
	struct hot_user *u;
	int     found = 0;

	if (hot == NULL || user == NULL)
		return (0);
	hot_lock(hot);
	u = user_lookup(hot, user, 0);
	if (u != NULL && u->has_counters) {
		found = 1;
		if (sent_r != NULL)
			*sent_r = u->sent;
		if (received_r != NULL)
			*received_r = u->received;
	}
	hot_unlock(hot);
	return (found);
}

/* cm_hot_fed_record - count traffic with a domain at time now */
void cm_hot_fed_record(struct cm_hot *hot, const char *domain,
		       enum cm_fed_dir dir, int64_t messages,
		       int64_t rejections, int64_t now)
{
	struct hot_fed_side *s;
	struct hot_fed *fed = NULL;

	if (hot == NULL || domain == NULL || !fed_dir_ok(dir))
		return;
	messages = hot_clamp0(messages);
	rejections = hot_clamp0(rejections);
	hot_lock(hot);
	s = fed_side(hot, domain, dir, 1, &fed);
	s->messages = cm_sat_add(s->messages, messages);
	s->rejections = cm_sat_add(s->rejections, rejections);
	s->messages_pending = cm_sat_add(s->messages_pending, messages);
	s->rejections_pending = cm_sat_add(s->rejections_pending, rejections);
	if (now > s->last_seen) {
		s->last_seen = now;
		s->last_seen_pending = 1;
	}
	if (messages > 0 || rejections > 0 || s->last_seen_pending)
		list_mark(&hot->dirty_feds, &fed->head);
	hot_unlock(hot);
}

/* cm_hot_fed_load - set the persisted totals, keep pending */
void cm_hot_fed_load(struct cm_hot *hot, const char *domain,
		     enum cm_fed_dir dir, int64_t messages,
		     int64_t rejections, int64_t last_seen)
{
	struct hot_fed_side *s;

	if (hot == NULL || domain == NULL || !fed_dir_ok(dir))
		return;
	hot_lock(hot);
	s = fed_side(hot, domain, dir, 1, NULL);
	s->messages = cm_sat_add(hot_clamp0(messages), s->messages_pending);
	s->rejections = cm_sat_add(hot_clamp0(rejections),
				   s->rejections_pending);
	if (last_seen > s->last_seen)
		s->last_seen = last_seen;
	hot_unlock(hot);
}

/* cm_hot_fed_get - the totals of one (domain, dir) */
int cm_hot_fed_get(struct cm_hot *hot, const char *domain, enum cm_fed_dir dir,
		   struct cm_hot_fed_stats *stats_r)
{
	struct hot_fed_side *s;
	int     found = 0;

	if (hot == NULL || domain == NULL || !fed_dir_ok(dir))
		return (0);
	hot_lock(hot);
	s = fed_side(hot, domain, dir, 0, NULL);
	if (s != NULL) {
		found = 1;
		if (stats_r != NULL) {
			stats_r->messages = s->messages;
			stats_r->rejections = s->rejections;
			stats_r->last_seen = s->last_seen;
		}
	}
	hot_unlock(hot);
	return (found);
}

/* cm_hot_fed_count - number of domains tracked */
size_t cm_hot_fed_count(struct cm_hot *hot)
{
	size_t  count;

	if (hot == NULL)
		return (0);
	hot_lock(hot);
	count = hot->feds.count;
	hot_unlock(hot);
	return (count);
}

/* cm_hot_totals - sums over all users, and the domain count */
void cm_hot_totals(struct cm_hot *hot, struct cm_hot_totals *totals_r)
{
	struct hot_user *u;
	size_t  i;

	memset(totals_r, 0, sizeof(*totals_r));
	if (hot == NULL)
		return;
	hot_lock(hot);
	for (i = 0; i < hot->users.size; i++) {
		u = (struct hot_user *) hot->users.slots[i].value;
		if (u == NULL)
			continue;
		if (u->has_quota) {
			totals_r->quota_users++;
			totals_r->used = cm_sat_add(totals_r->used, u->used);
		}
		if (u->has_counters) {
			totals_r->sent = cm_sat_add(totals_r->sent, u->sent);
			totals_r->received = cm_sat_add(totals_r->received,
							u->received);
		}
	}
	totals_r->fed_domains = hot->feds.count;
	hot_unlock(hot);
}

/* cm_hot_fed_foreach - every domain and direction present */
void cm_hot_fed_foreach(struct cm_hot *hot,
			void (*fn)(const char *domain, enum cm_fed_dir dir,
				   const struct cm_hot_fed_stats *stats,
				   void *ctx), void *ctx)
{
	struct cm_hot_fed_stats stats;
	struct hot_fed *fed;
	size_t  i;
	int     dir;

	if (hot == NULL || fn == NULL)
		return;
	hot_lock(hot);
	for (i = 0; i < hot->feds.size; i++) {
		fed = (struct hot_fed *) hot->feds.slots[i].value;
		for (dir = 0; fed != NULL && dir < 2; dir++) {
			if (!fed->side[dir].present)
				continue;
			stats.messages = fed->side[dir].messages;
			stats.rejections = fed->side[dir].rejections;
			stats.last_seen = fed->side[dir].last_seen;
			fn(fed->head.key, (enum cm_fed_dir) dir, &stats, ctx);
		}
	}
	hot_unlock(hot);
}

/* rate_refill - add the units earned since the bucket's last time */
static void rate_refill(struct hot_user *u, int64_t now_ms,
			int64_t per_minute, int64_t cap)
{
	int64_t elapsed;

	if (now_ms <= u->rate_last_ms)
		return;				/* same time or backwards */
	if (u->rate_last_ms < 0 && now_ms > INT64_MAX + u->rate_last_ms)
		elapsed = INT64_MAX;		/* difference overflows */
	else
		elapsed = now_ms - u->rate_last_ms;
	u->rate_last_ms = now_ms;
	if (u->rate_units >= cap)
		return;
	/* per_minute units a ms; the division keeps the product in range */
	if (elapsed >= (cap - u->rate_units) / per_minute + 1)
		u->rate_units = cap;
	else
		u->rate_units += elapsed * per_minute;
}

/* cm_hot_rate_take - take one token from the user's bucket */
int cm_hot_rate_take(struct cm_hot *hot, const char *user, int64_t now_ms,
		     int64_t per_minute, int64_t burst)
{
	struct hot_user *u;
	int64_t cap;
	int     allowed = 0;

	if (per_minute <= 0 || hot == NULL || user == NULL)
		return (1);
	if (burst < 1)
		burst = 1;
	if (burst > HOT_RATE_BURST_MAX)
		burst = HOT_RATE_BURST_MAX;
	cap = burst * HOT_RATE_UNIT;
	hot_lock(hot);
	u = user_lookup(hot, user, 1);
	if (!u->has_rate) {
		u->has_rate = 1;
		u->rate_units = cap;
		u->rate_last_ms = now_ms;
	} else {
		rate_refill(u, now_ms, per_minute, cap);
	}
	if (u->rate_units > cap)
		u->rate_units = cap;		/* burst lowered since */
	if (u->rate_units >= HOT_RATE_UNIT) {
		u->rate_units -= HOT_RATE_UNIT;
		allowed = 1;
	}
	hot_unlock(hot);
	return (allowed);
}

/* take_counters - move the dirty users' pending counts into pending */
static void take_counters(struct cm_hot *hot, struct cm_hot_pending *pending)
{
	struct hot_list *list = &hot->dirty_users;
	struct cm_hot_counter_delta *d;
	struct hot_user *u;
	size_t  i;

	if (list->len == 0)
		return;
	pending->counters = hot_xcalloc(list->len, sizeof(*pending->counters));
	for (i = 0; i < list->len; i++) {
		u = (struct hot_user *) list->items[i];
		u->head.dirty = 0;
		if (u->sent_pending == 0 && u->received_pending == 0)
			continue;
		d = pending->counters + pending->n_counters++;
		d->user = hot_xstrdup(u->head.key);
		d->sent = u->sent_pending;
		d->received = u->received_pending;
		u->sent_pending = u->received_pending = 0;
	}
	list->len = 0;
}

/* take_feds - move the dirty domains' pending stats into pending */
static void take_feds(struct cm_hot *hot, struct cm_hot_pending *pending)
{
	struct hot_list *list = &hot->dirty_feds;
	struct cm_hot_fed_delta *d;
	struct hot_fed_side *s;
	struct hot_fed *fed;
	size_t  i;
	int     dir;

	if (list->len == 0)
		return;
	pending->feds = hot_xcalloc(list->len * 2, sizeof(*pending->feds));
	for (i = 0; i < list->len; i++) {
		fed = (struct hot_fed *) list->items[i];
		fed->head.dirty = 0;
		for (dir = CM_FED_IN; dir <= CM_FED_OUT; dir++) {
			s = fed->side + dir;
			if (s->messages_pending == 0
			    && s->rejections_pending == 0
			    && !s->last_seen_pending)
				continue;
			d = pending->feds + pending->n_feds++;
			d->domain = hot_xstrdup(fed->head.key);
			d->dir = (enum cm_fed_dir) dir;
			d->messages = s->messages_pending;
			d->rejections = s->rejections_pending;
			d->last_seen = s->last_seen;
			s->messages_pending = s->rejections_pending = 0;
			s->last_seen_pending = 0;
		}
	}
	list->len = 0;
}

/* cm_hot_pending_take - move every pending delta into *pending_r */
size_t cm_hot_pending_take(struct cm_hot *hot, struct cm_hot_pending *pending_r)
{
	if (pending_r == NULL)
		return (0);
	memset(pending_r, 0, sizeof(*pending_r));
	if (hot == NULL)
		return (0);
	hot_lock(hot);
	take_counters(hot, pending_r);
	take_feds(hot, pending_r);
	hot_unlock(hot);
	if (pending_r->n_counters == 0) {
		free(pending_r->counters);
		pending_r->counters = NULL;
	}
	if (pending_r->n_feds == 0) {
		free(pending_r->feds);
		pending_r->feds = NULL;
	}
	return (pending_r->n_counters + pending_r->n_feds);
}

/* restore_counter - put one counter delta back as pending */
static void restore_counter(struct cm_hot *hot,
			    const struct cm_hot_counter_delta *d)
{
	struct hot_user *u;
	int64_t sent = hot_clamp0(d->sent);
	int64_t received = hot_clamp0(d->received);

	if (d->user == NULL)
		return;
	u = user_lookup(hot, d->user, 1);
	u->has_counters = 1;
	u->sent_pending = cm_sat_add(u->sent_pending, sent);
	u->received_pending = cm_sat_add(u->received_pending, received);
	if (sent > 0 || received > 0)
		list_mark(&hot->dirty_users, &u->head);
}

/* restore_fed - put one federation delta back as pending */
static void restore_fed(struct cm_hot *hot, const struct cm_hot_fed_delta *d)
{
	struct hot_fed_side *s;
	struct hot_fed *fed = NULL;
	int64_t messages = hot_clamp0(d->messages);
	int64_t rejections = hot_clamp0(d->rejections);

	if (d->domain == NULL || !fed_dir_ok(d->dir))
		return;
	s = fed_side(hot, d->domain, d->dir, 1, &fed);
	s->messages_pending = cm_sat_add(s->messages_pending, messages);
	s->rejections_pending = cm_sat_add(s->rejections_pending, rejections);
	if (d->last_seen > s->last_seen)
		s->last_seen = d->last_seen;
	if (d->last_seen > 0)
		s->last_seen_pending = 1;
	if (messages > 0 || rejections > 0 || s->last_seen_pending)
		list_mark(&hot->dirty_feds, &fed->head);
}

/* cm_hot_pending_restore - re-add taken deltas as not yet persisted */
void cm_hot_pending_restore(struct cm_hot *hot,
			    const struct cm_hot_pending *pending)
{
	size_t  i;

	if (hot == NULL || pending == NULL)
		return;
	hot_lock(hot);
	for (i = 0; i < pending->n_counters; i++)
		restore_counter(hot, pending->counters + i);
	for (i = 0; i < pending->n_feds; i++)
		restore_fed(hot, pending->feds + i);
	hot_unlock(hot);
}

/* cm_hot_pending_free - release a snapshot; safe to repeat */
void cm_hot_pending_free(struct cm_hot_pending *pending)
{
	size_t  i;

	if (pending == NULL)
		return;
	for (i = 0; i < pending->n_counters; i++)
		free(pending->counters[i].user);
	for (i = 0; i < pending->n_feds; i++)
		free(pending->feds[i].domain);
	free(pending->counters);
	free(pending->feds);
	memset(pending, 0, sizeof(*pending));
}

/* ------------------------------------------------ encryption gate counters */

#include <stdatomic.h>

struct cm_hot_gate {
	atomic_int_fast64_t n[2][CM_HOT_GATE_STATS];
};

static const char *const hot_gate_names[CM_HOT_GATE_STATS] = {
	"encrypted", "exception", "refused_encryption", "refused_from",
	"tempfail",
};

/* hot_gate_ok - mode and stat within range */
static int hot_gate_ok(int outgoing, enum cm_hot_gate_stat stat)
{
	return (outgoing == 0 || outgoing == 1)
	    && (int) stat >= 0 && stat < CM_HOT_GATE_STATS;
}

/* cm_hot_gate_new - all counters at 0 */
struct cm_hot_gate *cm_hot_gate_new(void)
{
	struct cm_hot_gate *gate = hot_xcalloc(1, sizeof(*gate));
	int     m, s;

	for (m = 0; m < 2; m++)
		for (s = 0; s < CM_HOT_GATE_STATS; s++)
			atomic_init(&gate->n[m][s], 0);
	return gate;
}

/* cm_hot_gate_free - release; safe on NULL */
void cm_hot_gate_free(struct cm_hot_gate **gate)
{
	if (gate == NULL || *gate == NULL)
		return;
	free(*gate);
	*gate = NULL;
}

/* cm_hot_gate_count - one more of stat in that mode (any thread) */
void cm_hot_gate_count(struct cm_hot_gate *gate, int outgoing,
		       enum cm_hot_gate_stat stat)
{
	if (gate == NULL || !hot_gate_ok(outgoing, stat))
		return;
	atomic_fetch_add_explicit(&gate->n[outgoing][stat], 1,
				  memory_order_relaxed);
}

/* cm_hot_gate_get - the current value (any thread) */
int64_t cm_hot_gate_get(struct cm_hot_gate *gate, int outgoing,
			enum cm_hot_gate_stat stat)
{
	if (gate == NULL || !hot_gate_ok(outgoing, stat))
		return 0;
	return (int64_t) atomic_load_explicit(&gate->n[outgoing][stat],
					      memory_order_relaxed);
}

/* cm_hot_gate_stat_name - the statistic's name */
const char *cm_hot_gate_stat_name(enum cm_hot_gate_stat stat)
{
	if ((int) stat < 0 || stat >= CM_HOT_GATE_STATS)
		return "?";
	return hot_gate_names[stat];
}
