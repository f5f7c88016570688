/*++
 * NAME
 *	cm_strmap 3
 * SUMMARY
 *	string-keyed hash map for the in-RAM tables
 * DESCRIPTION
 *	See cm_strmap.h. Used by cm_hot (users, federation domains) and
 *	cm_blockset (the blocklist and federation sets).
 *--*/

#include "cm_strmap.h"

#include <stdlib.h>
#include <string.h>

#define STRMAP_MIN_SLOTS 16

/* cm_strmap_hash - FNV-1a over the key, then a final avalanche */
uint64_t cm_strmap_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *cp;

	for (cp = (const unsigned char *) key; *cp; cp++) {
		h ^= *cp;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h);
}

/* cm_strmap_find - the value for key (hashed to hash), or NULL */
void   *cm_strmap_find(const struct cm_strmap *map, const char *key,
		               uint64_t hash)
{
	size_t  mask, i;
	const struct cm_strmap_slot *slot;

	if (map->count == 0)
		return (NULL);
	mask = map->size - 1;
	for (i = (size_t) hash & mask;; i = (i + 1) & mask) {
		slot = map->slots + i;
		if (slot->key == NULL)
			return (NULL);
		if (slot->hash == hash && strcmp(slot->key, key) == 0)
			return (slot->value);
	}
}

/* cm_strmap_get - the value for key, or NULL */
void   *cm_strmap_get(const struct cm_strmap *map, const char *key)
{
	return (map->count == 0 ? NULL
		: cm_strmap_find(map, key, cm_strmap_hash(key)));
}

/* strmap_place - put an entry into the first free slot of its chain */
static void strmap_place(struct cm_strmap_slot *slots, size_t size,
			         const struct cm_strmap_slot *entry)
{
	size_t  mask = size - 1;
	size_t  i = (size_t) entry->hash & mask;

	while (slots[i].key != NULL)
		i = (i + 1) & mask;
	slots[i] = *entry;
}

/* strmap_grow - double the slot array (or make the first one), rehash */
static void strmap_grow(struct cm_strmap *map)
{
	size_t  new_size = map->size ? map->size * 2 : STRMAP_MIN_SLOTS;
	struct cm_strmap_slot *new_slots = calloc(new_size, sizeof(*new_slots));
	size_t  i;

	if (new_slots == NULL)
		abort();
	for (i = 0; i < map->size; i++)
		if (map->slots[i].key != NULL)
			strmap_place(new_slots, new_size, map->slots + i);
	free(map->slots);
	map->slots = new_slots;
	map->size = new_size;
}

/* cm_strmap_insert - add a key known to be absent */
void    cm_strmap_insert(struct cm_strmap *map, uint64_t hash,
			         const char *key, void *value)
{
	struct cm_strmap_slot entry;

	if ((map->count + 1) * 10 > map->size * 7)
		strmap_grow(map);
	entry.hash = hash;
	entry.key = key;
	entry.value = value;
	strmap_place(map->slots, map->size, &entry);
	map->count++;
}

/* cm_strmap_free - release every value (free_value) and the slots */
void    cm_strmap_free(struct cm_strmap *map, void (*free_value)(void *))
{
	size_t  i;

	if (free_value != NULL)
		for (i = 0; i < map->size; i++)
			if (map->slots[i].key != NULL)
				free_value(map->slots[i].value);
	free(map->slots);
	memset(map, 0, sizeof(*map));
}
