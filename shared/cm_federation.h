#ifndef CM_FEDERATION_H
#define CM_FEDERATION_H

/*++
 * NAME
 *	cm_federation 3h
 * SUMMARY
 *	federation policy (domain lists) and per-domain statistics rows
 * DESCRIPTION
 *	The global mode is the setting "federation_mode" (accept: the
 *	listed domains are denied; reject: only listed domains are
 *	accepted). federation_policy holds the listed domains and the
 *	silent_dismiss domains. Domains are lowercased and IP-literal
 *	brackets stripped before storing.
 *
 *	federation_stats holds, per (domain, direction), the persisted
 *	totals the flusher adds deltas to.
 *--*/

#include <stdint.h>
#include <stddef.h>
#include "cm_store.h"
#include "cm_hot.h"

enum cm_fed_list {
	CM_FED_LISTED = 0,
	CM_FED_SILENT_DISMISS,
};

struct cm_fed_policy_row {
	const char *domain;
	enum cm_fed_list list;
	int64_t created_at;
};

struct cm_fed_stats_row {
	const char *domain;
	enum cm_fed_dir dir;
	int64_t messages;
	int64_t rejections;
	int64_t last_seen;
};

/* Pure: lowercase, strip "[...]", refuse empty/space/control chars. */
int cm_federation_normalize(const char *domain, char *buf, size_t size,
			    struct cm_error *err);
int cm_federation_list_parse(const char *text, enum cm_fed_list *list_r);
const char *cm_federation_list_name(enum cm_fed_list list);

/* 1 added, 0 present, -1 error. */
int cm_federation_add(struct cm_store *store, enum cm_fed_list list,
		      const char *domain, struct cm_error *err);
/* 1 deleted, 0 absent, -1 error. */
int cm_federation_del(struct cm_store *store, enum cm_fed_list list,
		      const char *domain, struct cm_error *err);
int cm_federation_foreach(struct cm_store *store,
			  int (*fn)(const struct cm_fed_policy_row *row,
				    void *ctx),
			  void *ctx, struct cm_error *err);

/* Adds a delta to the persisted stats (upsert); last_seen = max. */
int cm_federation_stats_add(struct cm_store *store,
			    const struct cm_hot_fed_delta *delta,
			    struct cm_error *err);
int cm_federation_stats_foreach(struct cm_store *store,
				int (*fn)(const struct cm_fed_stats_row *row,
					  void *ctx),
				void *ctx, struct cm_error *err);

#endif
