#ifndef CM_STRMAP_H
#define CM_STRMAP_H

/*++
 * NAME
 *	cm_strmap 3h
 * SUMMARY
 *	string-keyed hash map for the in-RAM tables
 * SYNOPSIS
 *	#include "cm_strmap.h"
 *
 *	struct cm_strmap map = CM_STRMAP_INIT;
 *	uint64_t hash = cm_strmap_hash(key);
 *
 *	value = cm_strmap_find(&map, key, hash);
 *	if (value == NULL)
 *		cm_strmap_insert(&map, hash, key_of_value, value);
 *	...
 *	for (i = 0; i < map.size; i++)
 *		if (map.slots[i].key != NULL)
 *			use(map.slots[i].value);
 *	cm_strmap_free(&map, free);
 * DESCRIPTION
 *	Open addressing with linear probing over FNV-1a hashed keys (with
 *	a final avalanche), power-of-two sizes doubled at 70% load, no
 *	deletion: the tables it serves only grow, or are rebuilt.
 *
 *	The map keeps pointers only. The key must stay valid as long as
 *	its entry, which is why callers keep it inside the value (or make
 *	the key the value). cm_strmap_free() hands every value to the
 *	free_value callback (NULL: none) and empties the map.
 *
 *	cm_strmap_insert() adds a key the caller has just found absent,
 *	with the hash cm_strmap_hash() gave for it; hashing once serves
 *	the find and the insert.
 *
 *	Iteration reads slots[0 .. size) and skips the empty ones
 *	(key == NULL); the order is the hash order.
 *
 *	Threads: none of it locks. Readers may share a map nobody writes.
 *	Out of memory aborts the process.
 *--*/

#include <stddef.h>
#include <stdint.h>

struct cm_strmap_slot {
	uint64_t hash;
	const char *key;		/* NULL = empty slot */
	void   *value;
};

struct cm_strmap {
	struct cm_strmap_slot *slots;
	size_t  size;			/* 0 or a power of two */
	size_t  count;
};

#define CM_STRMAP_INIT	{ NULL, 0, 0 }

extern uint64_t cm_strmap_hash(const char *key);
extern void *cm_strmap_find(const struct cm_strmap *map, const char *key,
			    uint64_t hash);
extern void *cm_strmap_get(const struct cm_strmap *map, const char *key);
extern void cm_strmap_insert(struct cm_strmap *map, uint64_t hash,
			     const char *key, void *value);
extern void cm_strmap_free(struct cm_strmap *map, void (*free_value)(void *));

#endif
