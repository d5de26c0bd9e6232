/* The encoder's hash index over its dynamic table (see hpack_index.h). */
#include "hpack_index.h"

#include "mem.h"

#include <string.h>

#define TAG_BIT 0x80000000u

/* Map slots for entry_slots entries: at most half of them in use. */
static uint32_t map_slots(uint32_t entry_slots) {
  return 2 * entry_slots;
}

size_t h2e_hpack_index_memsize(uint32_t entry_slots) {
  return (size_t)2 * map_slots(entry_slots) * sizeof(h2e_hpack_index_slot) +
         (size_t)entry_slots * sizeof(h2e_hpack_entry_keys);
}

static void use_vacant(h2e_hpack_index *index) {
  index->vacant.tag = 0;
  index->pairs = &index->vacant;
  index->names = &index->vacant;
  index->keys = NULL;
  index->slot_mask = 0;
  index->key_mask = 0;
  index->entry_slots = 0;
}

void h2e_hpack_index_init(h2e_hpack_index *index) {
  use_vacant(index);
}

/* What a map compares once the tags agree: name only, or name and value. */
typedef struct key {
  const uint8_t *name;
  const uint8_t *value; /* NULL for the names map */
  uint32_t name_len;
  uint32_t value_len;
} key;

static int entry_has_key(const h2e_hpack_table *table, uint32_t absolute,
                         const key *wanted) {
  const h2e_hpack_entry *entry = h2e_hpack_table_at(table, absolute);
  return h2e_hpack_table_name_equals(table, entry, wanted->name,
                                     wanted->name_len) &&
         (wanted->value == NULL ||
          h2e_hpack_table_value_equals(table, entry, wanted->value,
                                       wanted->value_len));
}

/* The slot holding the key, or the free slot that ends its probe. */
static uint32_t probe(const h2e_hpack_index_slot *map, uint32_t mask,
                      const h2e_hpack_table *table, uint32_t hash,
                      const key *wanted) {
  uint32_t tag = hash | TAG_BIT;
  uint32_t slot = hash & mask;
  while (map[slot].tag != 0 &&
         !(map[slot].tag == tag &&
           entry_has_key(table, map[slot].absolute, wanted)))
    slot = (slot + 1) & mask;
  return slot;
}

static int find(const h2e_hpack_index_slot *map, uint32_t mask,
                const h2e_hpack_table *table, uint32_t hash, const key *wanted,
                uint32_t *absolute) {
  const h2e_hpack_index_slot *slot =
      &map[probe(map, mask, table, hash, wanted)];
  *absolute = slot->absolute;
  return slot->tag != 0;
}

int h2e_hpack_index_find_pair(const h2e_hpack_index *index,
                              const h2e_hpack_table *table, uint32_t pair_hash,
                              const uint8_t *name, uint32_t name_len,
                              const uint8_t *value, uint32_t value_len,
                              uint32_t *absolute) {
  key wanted = {name, value, name_len, value_len};
  return find(index->pairs, index->slot_mask, table, pair_hash, &wanted,
              absolute);
}

int h2e_hpack_index_find_name(const h2e_hpack_index *index,
                              const h2e_hpack_table *table, uint32_t name_hash,
                              const uint8_t *name, uint32_t name_len,
                              uint32_t *absolute) {
  key wanted = {name, NULL, name_len, 0};
  return find(index->names, index->slot_mask, table, name_hash, &wanted,
              absolute);
}

/* Points the key's slot (found or free) at the newest entry. */
static void map_add(h2e_hpack_index_slot *map, uint32_t mask,
                    const h2e_hpack_table *table, uint32_t hash,
                    const key *wanted, uint32_t absolute) {
  h2e_hpack_index_slot *slot = &map[probe(map, mask, table, hash, wanted)];
  slot->tag = hash | TAG_BIT;
  slot->absolute = absolute;
}

void h2e_hpack_index_add(h2e_hpack_index *index, const h2e_hpack_table *table,
                         const uint8_t *name, uint32_t name_len,
                         const uint8_t *value, uint32_t value_len,
                         uint32_t name_hash, uint32_t pair_hash) {
  uint32_t newest = h2e_hpack_table_next(table) - 1;
  key pair_key = {name, value, name_len, value_len};
  key name_key = {name, NULL, name_len, 0};
  map_add(index->pairs, index->slot_mask, table, pair_hash, &pair_key, newest);
  map_add(index->names, index->slot_mask, table, name_hash, &name_key, newest);
  h2e_hpack_entry_keys *keys = &index->keys[newest & index->key_mask];
  keys->name_hash = name_hash;
  keys->pair_hash = pair_hash;
}

/* Empties a slot, moving later members of its cluster back so that every
 * key stays reachable from its home slot (deletion without tombstones). */
static void map_delete(h2e_hpack_index_slot *map, uint32_t mask,
                       uint32_t hole) {
  for (uint32_t next = (hole + 1) & mask; map[next].tag != 0;
       next = (next + 1) & mask) {
    uint32_t home = map[next].tag & mask;
    if (((next - home) & mask) >= ((next - hole) & mask)) {
      map[hole] = map[next];
      hole = next;
    }
  }
  map[hole].tag = 0;
}

/* Removes the slot of entry `absolute` if the map still points at it (a
 * newer entry with the same key may have taken the slot over). */
static void map_remove(h2e_hpack_index_slot *map, uint32_t mask, uint32_t hash,
                       uint32_t absolute) {
  uint32_t tag = hash | TAG_BIT;
  for (uint32_t slot = hash & mask; map[slot].tag != 0;
       slot = (slot + 1) & mask) {
    if (map[slot].tag == tag && map[slot].absolute == absolute) {
      map_delete(map, mask, slot);
      return;
    }
  }
}

void h2e_hpack_index_remove_oldest(h2e_hpack_index *index,
                                   const h2e_hpack_table *table) {
  uint32_t oldest = table->oldest;
  const h2e_hpack_entry_keys *keys = &index->keys[oldest & index->key_mask];
  map_remove(index->pairs, index->slot_mask, keys->pair_hash, oldest);
  map_remove(index->names, index->slot_mask, keys->name_hash, oldest);
}

/* Puts a slot of an old map in the new one: keys are unique, so the first
 * free slot from its home is its place. */
static void map_rehash(h2e_hpack_index_slot *map, uint32_t mask,
                       h2e_hpack_index_slot moved) {
  uint32_t slot = moved.tag & mask;
  while (map[slot].tag != 0)
    slot = (slot + 1) & mask;
  map[slot] = moved;
}

static void free_storage(h2e_hpack_index *index,
                         const h2e_allocator *allocator) {
  if (index->entry_slots > 0)
    h2e_mem_free(allocator, index->pairs,
                 h2e_hpack_index_memsize(index->entry_slots));
}

int h2e_hpack_index_resize(h2e_hpack_index *index,
                           const h2e_allocator *allocator,
                           const h2e_hpack_table *table, uint32_t entry_slots) {
  size_t memsize = h2e_hpack_index_memsize(entry_slots);
  h2e_hpack_index_slot *pairs = h2e_mem_alloc(allocator, memsize);
  if (pairs == NULL)
    return H2E_ERR_NOMEM;
  uint32_t slots = map_slots(entry_slots);
  memset(pairs, 0, (size_t)2 * slots * sizeof *pairs);
  h2e_hpack_index_slot *names = pairs + slots;
  h2e_hpack_entry_keys *keys = (h2e_hpack_entry_keys *)(void *)(names + slots);
  for (uint32_t slot = 0; slot <= index->slot_mask; slot++) {
    if (index->pairs[slot].tag != 0)
      map_rehash(pairs, slots - 1, index->pairs[slot]);
    if (index->names[slot].tag != 0)
      map_rehash(names, slots - 1, index->names[slot]);
  }
  for (uint32_t absolute = table->oldest;
       absolute != h2e_hpack_table_next(table); absolute++)
    keys[absolute & (entry_slots - 1)] =
        index->keys[absolute & index->key_mask];
  free_storage(index, allocator);
  index->pairs = pairs;
  index->names = names;
  index->keys = keys;
  index->slot_mask = slots - 1;
  index->key_mask = entry_slots - 1;
  index->entry_slots = entry_slots;
  return H2E_OK;
}

void h2e_hpack_index_release(h2e_hpack_index *index,
                             const h2e_allocator *allocator) {
  free_storage(index, allocator);
  use_vacant(index);
}
