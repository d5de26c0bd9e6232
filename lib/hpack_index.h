/* The encoder's hash index over its dynamic table: finds the newest entry
 * with a given (name, value), and the newest entry with a given name, in
 * O(1) instead of scanning the table.
 *
 * Two open-addressing maps (linear probing, at most half full) hold the
 * absolute insertion numbers of entries, keyed by the pair hash and by the
 * name hash. A hash match is confirmed against the table's octets. An
 * entry is removed from both maps when it is evicted; adding an entry with
 * the key of a live one takes over its slot, so each key maps to the
 * newest entry and, the table being FIFO, the older ones are already gone
 * when the newest leaves.
 *
 * The storage grows with the table's descriptor ring (hpack_table.h):
 * for a ring of n descriptors, maps of 2n slots and n entry keys. Without
 * storage, both maps are the one free slot `vacant`, so a lookup finds
 * nothing with no test of its own. */
#ifndef H2E_HPACK_INDEX_H
#define H2E_HPACK_INDEX_H

#include "hpack_table.h"

typedef struct h2e_hpack_index_slot {
  uint32_t tag;      /* key hash with the top bit set; 0 marks a free slot */
  uint32_t absolute; /* the entry's absolute insertion number */
} h2e_hpack_index_slot;

typedef struct h2e_hpack_entry_keys {
  uint32_t name_hash;
  uint32_t pair_hash;
} h2e_hpack_entry_keys;

typedef struct h2e_hpack_index {
  h2e_hpack_index_slot *pairs;
  h2e_hpack_index_slot *names;
  h2e_hpack_entry_keys *keys; /* by absolute number, like the table */
  uint32_t slot_mask;
  uint32_t key_mask;
  uint32_t entry_slots; /* entries it has keys for; 0: no storage */
  h2e_hpack_index_slot vacant;
} h2e_hpack_index;

/* The octets of an index's storage for entry_slots table entries. */
size_t h2e_hpack_index_memsize(uint32_t entry_slots);

/* Sets up an index without storage. */
void h2e_hpack_index_init(h2e_hpack_index *index);

/* Moves the index to storage for entry_slots entries (a power of two, at
 * least the table's count), taken from the allocator; the old storage
 * goes back to it. H2E_ERR_NOMEM leaves the index as it was. */
int h2e_hpack_index_resize(h2e_hpack_index *index,
                           const h2e_allocator *allocator,
                           const h2e_hpack_table *table, uint32_t entry_slots);

/* Gives the storage back (the index must be empty); also what frees it. */
void h2e_hpack_index_release(h2e_hpack_index *index,
                             const h2e_allocator *allocator);

/* Whether a live entry holds (name, value); sets *absolute to the newest. */
int h2e_hpack_index_find_pair(const h2e_hpack_index *index,
                              const h2e_hpack_table *table, uint32_t pair_hash,
                              const uint8_t *name, uint32_t name_len,
                              const uint8_t *value, uint32_t value_len,
                              uint32_t *absolute);

/* Whether a live entry has the name; sets *absolute to the newest. */
int h2e_hpack_index_find_name(const h2e_hpack_index *index,
                              const h2e_hpack_table *table, uint32_t name_hash,
                              const uint8_t *name, uint32_t name_len,
                              uint32_t *absolute);

/* Indexes the entry just added to the table (the newest), whose name and
 * value are given again as flat strings. */
void h2e_hpack_index_add(h2e_hpack_index *index, const h2e_hpack_table *table,
                         const uint8_t *name, uint32_t name_len,
                         const uint8_t *value, uint32_t value_len,
                         uint32_t name_hash, uint32_t pair_hash);

/* Forgets the oldest entry of the table; call before evicting it. */
void h2e_hpack_index_remove_oldest(h2e_hpack_index *index,
                                   const h2e_hpack_table *table);

#endif
