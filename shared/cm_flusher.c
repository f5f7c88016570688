/*++
 * NAME
 *	cm_flusher 3
 * SUMMARY
 *	persist hot-state deltas to the store, on a thread of its own
 * DESCRIPTION
 *	See cm_flusher.h. The thread sleeps on a condition variable bound
 *	to CLOCK_MONOTONIC (wall-clock jumps neither stall nor rush it).
 *	In in-memory mode with sync_interval 0 nothing is ever written to
 *	disk (RAM only), not even at stop.
 *--*/

#include "cm_flusher.h"
#include "cm_counters.h"
#include "cm_federation.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cm_flusher {
	struct cm_hot *hot;
	struct cm_store *store;
	struct cm_flusher_options opts;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;		/* under lock */
	int kicked;		/* under lock */
	int final_rc;
	struct cm_error final_err;
};

/* cm_flusher_write - write one taken batch inside a transaction */
static int cm_flusher_write(struct cm_store *store,
			    const struct cm_hot_pending *pending,
			    struct cm_error *err)
{
	size_t i;

	if (cm_store_begin(store, err) < 0)
		return -1;
	for (i = 0; i < pending->n_counters; i++)
		if (cm_counters_add(store, &pending->counters[i], err) < 0)
			goto fail;
	for (i = 0; i < pending->n_feds; i++)
		if (cm_federation_stats_add(store, &pending->feds[i], err) < 0)
			goto fail;
	return cm_store_commit(store, err);
fail:
	cm_store_rollback(store);
	return -1;
}

/* cm_flusher_flush - move pending deltas to the store, all or nothing */
int cm_flusher_flush(struct cm_hot *hot, struct cm_store *store,
		     size_t *written_r, struct cm_error *err)
{
	struct cm_hot_pending pending;
	size_t n;
	int rc = 0;

	if (written_r != NULL)
		*written_r = 0;
	n = cm_hot_pending_take(hot, &pending);
	if (n > 0 && (rc = cm_flusher_write(store, &pending, err)) < 0)
		cm_hot_pending_restore(hot, &pending);
	else if (written_r != NULL)
		*written_r = n;
	cm_hot_pending_free(&pending);
	return rc;
}

/* cm_flusher_now - CLOCK_MONOTONIC seconds */
static struct timespec cm_flusher_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

/* cm_flusher_after - a monotonic time secs from now */
static struct timespec cm_flusher_after(int64_t secs)
{
	struct timespec ts = cm_flusher_now();

	ts.tv_sec += (time_t) secs;
	return ts;
}

/* cm_flusher_due - has the monotonic deadline passed */
static int cm_flusher_due(const struct timespec *deadline)
{
	struct timespec now = cm_flusher_now();

	return now.tv_sec > deadline->tv_sec
	    || (now.tv_sec == deadline->tv_sec
		&& now.tv_nsec >= deadline->tv_nsec);
}

/* cm_flusher_syncing - does this store get snapshots */
static int cm_flusher_syncing(const struct cm_flusher *flusher)
{
	return cm_store_is_in_memory(flusher->store)
	    && flusher->opts.sync_interval > 0;
}

/* cm_flusher_report - hand a failure to the owner's callback */
static void cm_flusher_report(struct cm_flusher *flusher, const char *what,
			      const struct cm_error *err)
{
	if (flusher->opts.on_error != NULL)
		flusher->opts.on_error(what, err, flusher->opts.ctx);
}

/* cm_flusher_work - one flush (and sync when asked) with reporting */
static void cm_flusher_work(struct cm_flusher *flusher, int sync)
{
	struct cm_error err;

	cm_error_clear(&err);
	if (cm_flusher_flush(flusher->hot, flusher->store, NULL, &err) < 0)
		cm_flusher_report(flusher, "flush", &err);
	if (sync && cm_store_sync(flusher->store, &err) < 0)
		cm_flusher_report(flusher, "sync", &err);
}

/* cm_flusher_main - the thread: wait, flush, sync, until stopped */
static void *cm_flusher_main(void *arg)
{
	struct cm_flusher *flusher = arg;
	struct timespec next_flush, next_sync, wake;
	int stop = 0, kicked, sync_due;

	next_flush = cm_flusher_after(flusher->opts.interval);
	next_sync = cm_flusher_after(flusher->opts.sync_interval);
	while (!stop) {
		pthread_mutex_lock(&flusher->lock);
		wake = next_flush;
		if (cm_flusher_syncing(flusher)
		    && (next_sync.tv_sec < wake.tv_sec
			|| (next_sync.tv_sec == wake.tv_sec
			    && next_sync.tv_nsec < wake.tv_nsec)))
			wake = next_sync;
		while (!flusher->stop && !flusher->kicked
		       && pthread_cond_timedwait(&flusher->cond, &flusher->lock,
						 &wake) != ETIMEDOUT)
			;
		stop = flusher->stop;
		kicked = flusher->kicked;
		flusher->kicked = 0;
		pthread_mutex_unlock(&flusher->lock);
		if (stop)
			break;
		sync_due = cm_flusher_syncing(flusher)
		    && cm_flusher_due(&next_sync);
		if (kicked || sync_due || cm_flusher_due(&next_flush)) {
			cm_flusher_work(flusher, sync_due);
			next_flush = cm_flusher_after(flusher->opts.interval);
		}
		if (sync_due)
			next_sync = cm_flusher_after(flusher->opts.sync_interval);
	}
	cm_error_clear(&flusher->final_err);
	flusher->final_rc = cm_flusher_flush(flusher->hot, flusher->store,
					     NULL, &flusher->final_err);
	if (flusher->final_rc == 0 && cm_flusher_syncing(flusher))
		flusher->final_rc = cm_store_sync(flusher->store,
						  &flusher->final_err);
	return NULL;
}

/* cm_flusher_start - start the flusher thread */
int cm_flusher_start(struct cm_hot *hot, struct cm_store *store,
		     const struct cm_flusher_options *opts,
		     struct cm_flusher **flusher_r, struct cm_error *err)
{
	struct cm_flusher *flusher;
	pthread_condattr_t attr;
	int rc;

	*flusher_r = NULL;
	if (opts->interval < 1 || opts->sync_interval < 0) {
		cm_error_set(err, CM_ERR_INVALID, 0, "flush interval must be "
			     ">= 1 s and sync interval >= 0 s");
		return -1;
	}
	if ((flusher = calloc(1, sizeof(*flusher))) == NULL)
		abort();
	flusher->hot = hot;
	flusher->store = store;
	flusher->opts = *opts;
	pthread_mutex_init(&flusher->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&flusher->cond, &attr);
	pthread_condattr_destroy(&attr);
	if ((rc = pthread_create(&flusher->thread, NULL, cm_flusher_main,
				 flusher)) != 0) {
		cm_error_errno(err, rc, "start flusher thread");
		pthread_cond_destroy(&flusher->cond);
		pthread_mutex_destroy(&flusher->lock);
		free(flusher);
		return -1;
	}
	*flusher_r = flusher;
	return 0;
}

/* cm_flusher_signal - set a flag and wake the thread */
static void cm_flusher_signal(struct cm_flusher *flusher, int *flag)
{
	pthread_mutex_lock(&flusher->lock);
	*flag = 1;
	pthread_cond_signal(&flusher->cond);
	pthread_mutex_unlock(&flusher->lock);
}

/* cm_flusher_kick - flush as soon as possible */
void cm_flusher_kick(struct cm_flusher *flusher)
{
	cm_flusher_signal(flusher, &flusher->kicked);
}

/* cm_flusher_stop - final flush and sync, join, free */
int cm_flusher_stop(struct cm_flusher **_flusher, struct cm_error *err)
{
	struct cm_flusher *flusher = *_flusher;
	int rc;

	if (flusher == NULL)
		return 0;
	*_flusher = NULL;
	cm_flusher_signal(flusher, &flusher->stop);
	pthread_join(flusher->thread, NULL);
	rc = flusher->final_rc;
	if (rc < 0 && err != NULL)
		*err = flusher->final_err;
	pthread_cond_destroy(&flusher->cond);
	pthread_mutex_destroy(&flusher->lock);
	free(flusher);
	return rc;
}
