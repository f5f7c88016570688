#ifndef CM_COUNTERS_H
#define CM_COUNTERS_H

/*++
 * NAME
 *	cm_counters 3h
 * SUMMARY
 *	persisted per-user message counters
 *--*/

#include <stdint.h>
#include "cm_store.h"
#include "cm_hot.h"

struct cm_counter_row {
	const char *user;
	int64_t sent;
	int64_t received;
};

/* Adds a delta (upsert, saturating). */
int cm_counters_add(struct cm_store *store,
		    const struct cm_hot_counter_delta *delta,
		    struct cm_error *err);
/* 1 found, 0 absent, -1 error. */
int cm_counters_get(struct cm_store *store, const char *user,
		    int64_t *sent_r, int64_t *received_r,
		    struct cm_error *err);
int cm_counters_foreach(struct cm_store *store,
			int (*fn)(const struct cm_counter_row *row, void *ctx),
			void *ctx, struct cm_error *err);

#endif
