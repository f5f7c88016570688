/*++
 * NAME
 *	cm_blockset 3
 * SUMMARY
 *	the blocklist and federation lists in RAM, for O(1) policy checks
 * DESCRIPTION
 *	See cm_blockset.h. Addresses, domains and the two federation lists
 *	are four string sets (cm_strmap, each key its own value; no
 *	deletion: a set is rebuilt, never edited). IP ranges are an array of
 *	struct cm_cidr scanned linearly; blocklists hold a handful of
 *	ranges.
 *
 *	The set is only written while it is built, by one thread; after
 *	that every lookup reads it without a lock, from any thread.
 *	Lookups normalise into stack buffers and never allocate.
 *
 *	cm_blockset_load() fails when a stored row no longer normalises
 *	(the store normalises on insert, so that is a damaged database):
 *	the caller keeps its previous set rather than silently dropping a
 *	block.
 *
 *	Out of memory aborts the process.
 *--*/

#include "cm_blockset.h"
#include "cm_cidr.h"
#include "cm_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKSET_VALUE_MAX 512		/* > any normalised address (322) */

struct cm_blockset {
	struct cm_strmap addresses;
	struct cm_strmap domains;
	struct cm_strmap fed[2];		/* indexed by enum cm_fed_list */
	struct cm_cidr *ips;
	size_t  n_ips;
	size_t  cap_ips;
};

/* set_xcalloc - zeroed memory or abort */
static void *set_xcalloc(size_t nmemb, size_t size)
{
	void   *ptr = calloc(nmemb, size);

	if (ptr == NULL)
		abort();
	return (ptr);
}

/* set_has - 1 when key is in the set */
static int set_has(const struct cm_strmap *set, const char *key)
{
	return (cm_strmap_get(set, key) != NULL);
}

/* set_add - add a copy of key unless present */
static void set_add(struct cm_strmap *set, const char *key)
{
	uint64_t hash = cm_strmap_hash(key);
	size_t  len;
	char   *copy;

	if (cm_strmap_find(set, key, hash) != NULL)
		return;
	len = strlen(key) + 1;
	copy = set_xcalloc(1, len);
	memcpy(copy, key, len);
	cm_strmap_insert(set, hash, copy, copy);
}

/* set_free - release every key and the slots */
static void set_free(struct cm_strmap *set)
{
	cm_strmap_free(set, free);
}

/* ips_add - append a range unless the very same one is there */
static void ips_add(struct cm_blockset *set, const struct cm_cidr *range)
{
	size_t  i;

	for (i = 0; i < set->n_ips; i++)
		if (set->ips[i].family == range->family
		    && set->ips[i].prefix == range->prefix
		    && memcmp(set->ips[i].addr, range->addr,
			      sizeof(range->addr)) == 0)
			return;
	if (set->n_ips == set->cap_ips) {
		set->cap_ips = set->cap_ips ? set->cap_ips * 2 : 8;
		set->ips = realloc(set->ips, set->cap_ips * sizeof(*set->ips));
		if (set->ips == NULL)
			abort();
	}
	set->ips[set->n_ips++] = *range;
}

/* cm_blockset_new - an empty set */
struct cm_blockset *cm_blockset_new(void)
{
	return (set_xcalloc(1, sizeof(struct cm_blockset)));
}

/* cm_blockset_free - release a set and reset the caller's pointer */
void cm_blockset_free(struct cm_blockset **set)
{
	struct cm_blockset *s;

	if (set == NULL || (s = *set) == NULL)
		return;
	set_free(&s->addresses);
	set_free(&s->domains);
	set_free(&s->fed[CM_FED_LISTED]);
	set_free(&s->fed[CM_FED_SILENT_DISMISS]);
	free(s->ips);
	free(s);
	*set = NULL;
}

/* cm_blockset_add - add one blocklist entry, normalised */
int cm_blockset_add(struct cm_blockset *set, enum cm_block_kind kind,
		    const char *value, struct cm_error *err)
{
	char    norm[BLOCKSET_VALUE_MAX];
	struct cm_cidr range;

	if (set == NULL || value == NULL) {
		cm_error_set(err, CM_ERR_INVALID, 0, "no blockset or value");
		return (-1);
	}
	if (cm_blocklist_normalize(kind, value, norm, sizeof(norm), err) < 0)
		return (-1);
	switch (kind) {
	case CM_BLOCK_ADDRESS:
		set_add(&set->addresses, norm);
		return (0);
	case CM_BLOCK_DOMAIN:
		set_add(&set->domains, norm);
		return (0);
	case CM_BLOCK_IP:
		if (cm_cidr_parse(norm, 1, &range, NULL) < 0)
			break;
		ips_add(set, &range);
		return (0);
	}
	cm_error_set(err, CM_ERR_INVALID, 0, "cannot add '%.64s' as %s",
		     value, cm_blocklist_kind_name(kind));
	return (-1);
}

/* cm_blockset_add_fed - add one federation list entry, normalised */
int cm_blockset_add_fed(struct cm_blockset *set, enum cm_fed_list list,
			const char *domain, struct cm_error *err)
{
	char    norm[BLOCKSET_VALUE_MAX];

	if (set == NULL || domain == NULL
	    || (list != CM_FED_LISTED && list != CM_FED_SILENT_DISMISS)) {
		cm_error_set(err, CM_ERR_INVALID, 0, "no blockset, domain or "
			     "federation list");
		return (-1);
	}
	if (cm_federation_normalize(domain, norm, sizeof(norm), err) < 0)
		return (-1);
	set_add(&set->fed[list], norm);
	return (0);
}

struct blockset_load {
	struct cm_blockset *set;
	struct cm_error *err;
};

/* load_block - cm_blocklist_foreach callback; -1 stops at a bad row */
static int load_block(const struct cm_block_row *row, void *ctx)
{
	struct blockset_load *load = ctx;

	return (cm_blockset_add(load->set, row->kind, row->value,
				load->err) < 0 ? -1 : 0);
}

/* load_fed - cm_federation_foreach callback; -1 stops at a bad row */
static int load_fed(const struct cm_fed_policy_row *row, void *ctx)
{
	struct blockset_load *load = ctx;

	return (cm_blockset_add_fed(load->set, row->list, row->domain,
				    load->err) < 0 ? -1 : 0);
}

/* cm_blockset_load - a new set from the store's two tables */
int cm_blockset_load(struct cm_store *store, struct cm_blockset **set_r,
		     struct cm_error *err)
{
	struct blockset_load load;

	if (set_r == NULL || store == NULL) {
		cm_error_set(err, CM_ERR_INVALID, 0, "no store or result");
		return (-1);
	}
	*set_r = NULL;
	cm_error_clear(err);
	load.set = cm_blockset_new();
	load.err = err;
	if (cm_blocklist_foreach(store, load_block, &load, err) != 0
	    || cm_federation_foreach(store, load_fed, &load, err) != 0) {
		cm_blockset_free(&load.set);
		return (-1);
	}
	*set_r = load.set;
	return (0);
}

/* cm_blockset_has_address - is the (normalised) address blocked? */
int cm_blockset_has_address(const struct cm_blockset *set, const char *addr)
{
	char    norm[BLOCKSET_VALUE_MAX];

	if (set == NULL || addr == NULL || set->addresses.count == 0
	    || cm_blocklist_normalize(CM_BLOCK_ADDRESS, addr, norm,
				      sizeof(norm), NULL) < 0)
		return (0);
	return (set_has(&set->addresses, norm));
}

/* cm_blockset_has_domain - is the (normalised) domain blocked? */
int cm_blockset_has_domain(const struct cm_blockset *set, const char *domain)
{
	char    norm[BLOCKSET_VALUE_MAX];

	if (set == NULL || domain == NULL || set->domains.count == 0
	    || cm_federation_normalize(domain, norm, sizeof(norm), NULL) < 0)
		return (0);
	return (set_has(&set->domains, norm));
}

/* cm_blockset_has_ip - does any blocked range hold the address? */
int cm_blockset_has_ip(const struct cm_blockset *set, const char *ip)
{
	struct cm_cidr addr;
	size_t  i;

	if (set == NULL || ip == NULL || set->n_ips == 0
	    || cm_cidr_parse_addr(ip, &addr) < 0)
		return (0);
	for (i = 0; i < set->n_ips; i++)
		if (cm_cidr_contains(set->ips + i, &addr))
			return (1);
	return (0);
}

/* cm_blockset_fed_has - is the (normalised) domain on a federation list? */
int cm_blockset_fed_has(const struct cm_blockset *set, enum cm_fed_list list,
			const char *domain)
{
	char    norm[BLOCKSET_VALUE_MAX];

	if (set == NULL || domain == NULL
	    || (list != CM_FED_LISTED && list != CM_FED_SILENT_DISMISS)
	    || set->fed[list].count == 0
	    || cm_federation_normalize(domain, norm, sizeof(norm), NULL) < 0)
		return (0);
	return (set_has(&set->fed[list], norm));
}

/* cm_blockset_count - distinct entries over all five lists */
size_t cm_blockset_count(const struct cm_blockset *set)
{
	if (set == NULL)
		return (0);
	return (set->addresses.count + set->domains.count + set->n_ips
		+ set->fed[CM_FED_LISTED].count
		+ set->fed[CM_FED_SILENT_DISMISS].count);
}
