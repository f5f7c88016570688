#ifndef CM_HOT_H
#define CM_HOT_H

/*++
 * NAME
 *	cm_hot 3h
 * SUMMARY
 *	the in-RAM hot state owned by chatmail-policyd
 * SYNOPSIS
 *	#include "cm_hot.h"
 * DESCRIPTION
 *	One struct cm_hot holds everything the daemon decides on without
 *	touching disk:
 * .IP \(bu
 *	the quota cache, user -> (used bytes, max bytes), O(1) lookup;
 * .IP \(bu
 *	per-user message counters (sent, received): a total and the part
 *	of it not yet persisted ("pending");
 * .IP \(bu
 *	the federation tracker, per remote domain and direction: messages,
 *	rejections, last seen; total and pending likewise.
 *
 *	All functions are thread-safe (one internal mutex; every operation
 *	is O(1) except the pending snapshot, which is O(dirty entries)).
 *	User names and domains are copied; callers keep ownership of their
 *	strings. Keys are compared byte for byte: callers normalise case.
 *
 *	All arithmetic saturates at INT64_MAX and never goes below 0, so no
 *	sequence of calls overflows.
 *
 *	Persistence goes through cm_hot_pending_take(): it moves every
 *	pending delta into a caller-owned struct cm_hot_pending and marks
 *	it persisted; if writing it fails, cm_hot_pending_restore() puts
 *	the deltas back so the next flush retries them.
 *
 *	Details the other modules rely on:
 * .IP \(bu
 *	A user who is already over quota (used > max, max != 0) is refused
 *	even for incoming == 0: the rule is applied literally.
 * .IP \(bu
 *	cm_hot_quota_set_max() on a new user starts it with used 0;
 *	cm_hot_quota_set_used() on a new user starts it with max 0
 *	(unlimited). Use cm_hot_quota_set() to set both at once.
 * .IP \(bu
 *	A user known only through counters has no quota entry: it is not
 *	counted by cm_hot_user_count(), not visited by
 *	cm_hot_quota_foreach(), and cm_hot_quota_check() judges it with
 *	default_max. Likewise cm_hot_counters_get() returns 0 for a user
 *	that only has a quota entry.
 * .IP \(bu
 *	Counts (n, messages, rejections) below 0 are ignored (taken as 0).
 * .IP \(bu
 *	cm_hot_fed_get() answers per direction: 0 for a direction never
 *	recorded or loaded, even when the other one was.
 * .IP \(bu
 *	A cm_hot_fed_delta carries the current last_seen of its (domain,
 *	dir), not a difference: the store keeps the maximum.
 * .IP \(bu
 *	A NULL hot, user or domain, or an unknown direction, is a no-op
 *	(getters return 0, cm_hot_quota_check() judges an unknown user).
 *--*/

#include <stddef.h>
#include <stdint.h>

enum cm_fed_dir {
	CM_FED_IN = 0,		/* mail from the remote domain to us */
	CM_FED_OUT = 1,		/* mail from us to the remote domain */
};

struct cm_hot;

struct cm_hot_counter_delta {
	char *user;		/* owned by the struct cm_hot_pending */
	int64_t sent;
	int64_t received;
};

struct cm_hot_fed_delta {
	char *domain;		/* owned by the struct cm_hot_pending */
	enum cm_fed_dir dir;
	int64_t messages;
	int64_t rejections;
	int64_t last_seen;	/* unix time, 0 = never */
};

struct cm_hot_pending {
	struct cm_hot_counter_delta *counters;
	size_t n_counters;
	struct cm_hot_fed_delta *feds;
	size_t n_feds;
};

struct cm_hot_fed_stats {
	int64_t messages;
	int64_t rejections;
	int64_t last_seen;
};

/* cm_quota_allows - pure rule: used + incoming > max is refused, landing
   exactly on max is allowed; max == 0 means unlimited (Dovecot's
   convention). Negative inputs are treated as 0. Never overflows.
   Returns 1 when allowed, 0 when refused. */
int cm_quota_allows(int64_t used, int64_t max, int64_t incoming);

/* cm_sat_add - saturating a + b clamped to [0, INT64_MAX] */
int64_t cm_sat_add(int64_t a, int64_t b);

struct cm_hot *cm_hot_new(void);
void cm_hot_free(struct cm_hot **hot);

/* Quota cache. A user exists once any setter touched it. */
void cm_hot_quota_set(struct cm_hot *hot, const char *user,
		      int64_t used, int64_t max);
void cm_hot_quota_set_max(struct cm_hot *hot, const char *user, int64_t max);
void cm_hot_quota_set_used(struct cm_hot *hot, const char *user, int64_t used);
/* Adds delta (may be negative) to used; creates the user with
   max = default_max when unknown. */
void cm_hot_quota_add(struct cm_hot *hot, const char *user, int64_t delta,
		      int64_t default_max);
/* 1 found (outputs set), 0 unknown user. NULL outputs allowed. */
int cm_hot_quota_get(struct cm_hot *hot, const char *user,
		     int64_t *used_r, int64_t *max_r);
/* cm_quota_allows() on the user's cache entry; an unknown user is judged
   with used 0 and default_max. 1 allowed, 0 refused. */
int cm_hot_quota_check(struct cm_hot *hot, const char *user,
		       int64_t incoming, int64_t default_max);
size_t cm_hot_user_count(struct cm_hot *hot);
/* Calls fn for every user with a quota entry (under the lock: fn must not
   call back into hot). */
void cm_hot_quota_foreach(struct cm_hot *hot,
			  void (*fn)(const char *user, int64_t used,
				     int64_t max, void *ctx), void *ctx);

/* Message counters: count adds to total and pending. load sets the
   persisted total (at hydrate) and keeps pending as is. */
void cm_hot_count_sent(struct cm_hot *hot, const char *user, int64_t n);
void cm_hot_count_received(struct cm_hot *hot, const char *user, int64_t n);
void cm_hot_counters_load(struct cm_hot *hot, const char *user,
			  int64_t sent, int64_t received);
/* 1 found, 0 unknown. Totals include pending. */
int cm_hot_counters_get(struct cm_hot *hot, const char *user,
			int64_t *sent_r, int64_t *received_r);

/* Federation tracker. last_seen only moves forward. */
void cm_hot_fed_record(struct cm_hot *hot, const char *domain,
		       enum cm_fed_dir dir, int64_t messages,
		       int64_t rejections, int64_t now);
void cm_hot_fed_load(struct cm_hot *hot, const char *domain,
		     enum cm_fed_dir dir, int64_t messages,
		     int64_t rejections, int64_t last_seen);
int cm_hot_fed_get(struct cm_hot *hot, const char *domain, enum cm_fed_dir dir,
		   struct cm_hot_fed_stats *stats_r);
size_t cm_hot_fed_count(struct cm_hot *hot);

/* Rate limiting: a token bucket per user holding up to burst tokens,
   refilled at per_minute tokens a minute (continuously, in fixed point;
   a new user starts full). Takes one token: 1 allowed, 0 limited (no
   token taken). per_minute <= 0 means no limit (always 1). now_ms is a
   monotonic clock in milliseconds; a clock going backwards refills
   nothing. */
int cm_hot_rate_take(struct cm_hot *hot, const char *user, int64_t now_ms,
		     int64_t per_minute, int64_t burst);

/* Totals over the whole state (stats). */
struct cm_hot_totals {
	size_t quota_users;	/* users with a quota entry */
	int64_t used;		/* sum of used bytes (saturating) */
	int64_t sent;		/* sum of sent counters, pending included */
	int64_t received;
	size_t fed_domains;
};
void cm_hot_totals(struct cm_hot *hot, struct cm_hot_totals *totals_r);
/* Calls fn per federation domain and direction that has been recorded
   or loaded (under the lock: fn must not call back into hot). */
void cm_hot_fed_foreach(struct cm_hot *hot,
			void (*fn)(const char *domain, enum cm_fed_dir dir,
				   const struct cm_hot_fed_stats *stats,
				   void *ctx), void *ctx);

/* Persistence of deltas. take: returns the number of entries moved into
   *pending_r (0 = nothing to do); pending_r is always initialised and must
   be released with cm_hot_pending_free(). restore: re-adds every delta of
   pending as not yet persisted (used after a failed write): the pending
   parts grow, the totals stay as they are (they still include them),
   last_seen becomes the larger of both. Deltas come out in no particular
   order. */
size_t cm_hot_pending_take(struct cm_hot *hot, struct cm_hot_pending *pending_r);
void cm_hot_pending_restore(struct cm_hot *hot,
			    const struct cm_hot_pending *pending);
void cm_hot_pending_free(struct cm_hot_pending *pending);

/* Encryption gate counters (the milter's verdicts), per mode and
   outcome. A separate object, not under the hot state's mutex: every
   counter is a C11 atomic, bumped and read without a lock from any
   thread. Never persisted (they restart at 0 with the daemon).
   outgoing is 0 for incoming (port 25) mail and 1 for authenticated
   submissions; out-of-range modes or stats are ignored (get returns 0).
   cm_hot_gate_new() aborts when out of memory. */
enum cm_hot_gate_stat {
	CM_HOT_GATE_ENCRYPTED = 0,	/* accepted: valid OpenPGP/MIME */
	CM_HOT_GATE_EXCEPTION,		/* accepted unencrypted exception */
	CM_HOT_GATE_REFUSED_PGP,	/* 523 5.7.10 */
	CM_HOT_GATE_REFUSED_FROM,	/* 550 5.7.1 From != envelope */
	CM_HOT_GATE_TEMPFAIL,		/* 451 4.3.5 internal error */
	CM_HOT_GATE_STATS
};
struct cm_hot_gate;
struct cm_hot_gate *cm_hot_gate_new(void);
void cm_hot_gate_free(struct cm_hot_gate **gate);
void cm_hot_gate_count(struct cm_hot_gate *gate, int outgoing,
		       enum cm_hot_gate_stat stat);
int64_t cm_hot_gate_get(struct cm_hot_gate *gate, int outgoing,
			enum cm_hot_gate_stat stat);
/* "encrypted", "exception", "refused_encryption", "refused_from",
   "tempfail"; "?" for anything else. */
const char *cm_hot_gate_stat_name(enum cm_hot_gate_stat stat);

#endif
