#ifndef CM_FLUSHER_H
#define CM_FLUSHER_H

/*++
 * NAME
 *	cm_flusher 3h
 * SUMMARY
 *	persist hot-state counter and federation deltas to the store
 * DESCRIPTION
 *	cm_flusher_flush() takes every pending delta out of the hot state
 *	and writes them in ONE transaction; if anything fails the
 *	transaction is rolled back and the deltas are put back, so nothing
 *	is counted twice or lost. A process killed at any moment leaves the
 *	database at the previous or at the next flush, never in between.
 *
 *	cm_flusher_start() runs flushes on a thread of its own every
 *	interval seconds (and in in-memory mode a cm_store_sync() every
 *	sync_interval seconds, 0 = never), so the daemon's main loop never
 *	waits for the disk. cm_flusher_stop() wakes it, does the final flush
 *	(and final sync) and joins it.
 *--*/

#include <stdint.h>
#include "cm_error.h"
#include "cm_store.h"
#include "cm_hot.h"

struct cm_flusher;

struct cm_flusher_options {
	int64_t interval;	/* seconds between flushes, >= 1 */
	int64_t sync_interval;	/* in-memory mode snapshots; 0 = never */
	/* Called on the flusher thread after each failed flush or sync. */
	void (*on_error)(const char *what, const struct cm_error *err,
			 void *ctx);
	void *ctx;
};

/* 0 ok (also when nothing was pending), -1 error (deltas kept). The
   number of entries written goes to *written_r (may be NULL). */
int cm_flusher_flush(struct cm_hot *hot, struct cm_store *store,
		     size_t *written_r, struct cm_error *err);

int cm_flusher_start(struct cm_hot *hot, struct cm_store *store,
		     const struct cm_flusher_options *opts,
		     struct cm_flusher **flusher_r, struct cm_error *err);
/* Asks for a flush now (non-blocking). */
void cm_flusher_kick(struct cm_flusher *flusher);
/* Final flush + final sync; returns their result (0 / -1 with *err). */
int cm_flusher_stop(struct cm_flusher **flusher, struct cm_error *err);

#endif
