#ifndef CM_BLOCKLIST_H
#define CM_BLOCKLIST_H

/*++
 * NAME
 *	cm_blocklist 3h
 * SUMMARY
 *	blocked addresses, domains and IP ranges
 * DESCRIPTION
 *	Entries are (kind, value, reason). Values are normalised before they
 *	are stored: addresses and domains lowercased (IP-literal brackets
 *	stripped from domains), IP ranges to canonical CIDR text
 *	("192.0.2.0/24", "2001:db8::/32"; a bare address gets /32 or /128).
 *	A CIDR with host bits set is refused with a hint naming the network.
 *--*/

#include <stdint.h>
#include <stddef.h>
#include "cm_store.h"

enum cm_block_kind {
	CM_BLOCK_ADDRESS = 0,
	CM_BLOCK_DOMAIN,
	CM_BLOCK_IP,
};

struct cm_block_row {
	enum cm_block_kind kind;
	const char *value;
	const char *reason;
	int64_t created_at;
};

/* "address" | "domain" | "ip" -> kind; 0 ok, -1 unknown. */
int cm_blocklist_kind_parse(const char *text, enum cm_block_kind *kind_r);
const char *cm_blocklist_kind_name(enum cm_block_kind kind);
/* Pure: normalise value for kind into buf; 0 ok, -1 invalid (err). */
int cm_blocklist_normalize(enum cm_block_kind kind, const char *value,
			   char *buf, size_t size, struct cm_error *err);

/* 1 added, 0 already present (reason updated), -1 error. */
int cm_blocklist_add(struct cm_store *store, enum cm_block_kind kind,
		     const char *value, const char *reason,
		     struct cm_error *err);
/* 1 deleted, 0 absent, -1 error. */
int cm_blocklist_del(struct cm_store *store, enum cm_block_kind kind,
		     const char *value, struct cm_error *err);
int cm_blocklist_foreach(struct cm_store *store,
			 int (*fn)(const struct cm_block_row *row, void *ctx),
			 void *ctx, struct cm_error *err);

#endif
