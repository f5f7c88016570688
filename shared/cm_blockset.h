#ifndef CM_BLOCKSET_H
#define CM_BLOCKSET_H

/*++
 * NAME
 *	cm_blockset 3h
 * SUMMARY
 *	the blocklist and federation lists in RAM, for O(1) policy checks
 * DESCRIPTION
 *	An immutable snapshot of the blocklist table (addresses, domains,
 *	IP ranges) and the federation_policy table (listed and
 *	silent_dismiss domains). The daemon builds a new one at start, on
 *	reload and after every change through the control socket, then
 *	swaps it in whole; lookups never touch the database.
 *
 *	Addresses and domains are matched exactly after the same
 *	normalisation the store applies (lowercase; IP-literal brackets
 *	stripped from domains). IP addresses are matched against every
 *	range (IPv4-mapped IPv6 matches IPv4 ranges).
 *--*/

#include <stddef.h>
#include "cm_error.h"
#include "cm_store.h"
#include "cm_blocklist.h"
#include "cm_federation.h"

struct cm_blockset;

struct cm_blockset *cm_blockset_new(void);
void cm_blockset_free(struct cm_blockset **set);
/* Adds one entry (value normalised as cm_blocklist_normalize does).
   0 ok, -1 invalid value. */
int cm_blockset_add(struct cm_blockset *set, enum cm_block_kind kind,
		    const char *value, struct cm_error *err);
int cm_blockset_add_fed(struct cm_blockset *set, enum cm_fed_list list,
			const char *domain, struct cm_error *err);
/* Builds a new set from the store's blocklist and federation_policy. */
int cm_blockset_load(struct cm_store *store, struct cm_blockset **set_r,
		     struct cm_error *err);

/* Lookups: 1 listed, 0 not. Inputs are normalised here (any case, a
   domain may carry brackets); unparsable inputs are simply not listed. */
int cm_blockset_has_address(const struct cm_blockset *set, const char *addr);
int cm_blockset_has_domain(const struct cm_blockset *set, const char *domain);
int cm_blockset_has_ip(const struct cm_blockset *set, const char *ip);
int cm_blockset_fed_has(const struct cm_blockset *set, enum cm_fed_list list,
			const char *domain);
size_t cm_blockset_count(const struct cm_blockset *set);

#endif
