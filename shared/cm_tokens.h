#ifndef CM_TOKENS_H
#define CM_TOKENS_H

/*++
 * NAME
 *	cm_tokens 3h
 * SUMMARY
 *	registration tokens
 * DESCRIPTION
 *	A token allows max_uses registrations (0 = unlimited) until
 *	expires_at (unix time; 0 = never). cm_tokens_use() checks and counts
 *	one use atomically.
 *--*/

#include <stdint.h>
#include <stddef.h>
#include "cm_store.h"

struct cm_token_row {
	const char *token;
	int64_t max_uses;
	int64_t uses;
	int64_t expires_at;
	int64_t created_at;
};

/* Creates token; when token is NULL a random 24-character one is made and
   copied to buf (size >= 32). 0 ok, -1 error (duplicate is CM_ERR_INVALID). */
int cm_tokens_create(struct cm_store *store, const char *token,
		     int64_t max_uses, int64_t expires_at,
		     char *buf, size_t size, struct cm_error *err);
/* 1 counted, 0 refused (unknown, expired or used up; *why_r says which),
   -1 error. */
int cm_tokens_use(struct cm_store *store, const char *token,
		  const char **why_r, struct cm_error *err);
/* 1 revoked (deleted), 0 absent, -1 error. */
int cm_tokens_revoke(struct cm_store *store, const char *token,
		     struct cm_error *err);
int cm_tokens_foreach(struct cm_store *store,
		      int (*fn)(const struct cm_token_row *row, void *ctx),
		      void *ctx, struct cm_error *err);

#endif
