/* RFC 7541 §2.3.2, §4: the dynamic table.
 *
 * Entries sit in two rings: a ring of entry descriptors, addressed by the
 * entry's absolute insertion number, and a ring of octets holding each
 * entry's name followed by its value; a string may wrap around the end of
 * the octet ring. Insert and evict are O(1).
 *
 * The rings hold memory in proportion to the table's content, not to its
 * capacity: they start at a first shape (128 octets, 4 descriptors) and,
 * when an entry does not fit, move to the smallest doubling that holds it,
 * up to the full shape of the capacity (capacity octets, capacity / 32
 * descriptors rounded up to a power of two), which holds any table. A move
 * copies the live entries in order, unwrapping the rings, so each entry is
 * copied O(1) times on average. */
#ifndef H2E_HPACK_TABLE_H
#define H2E_HPACK_TABLE_H

#include "h2e_base.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The largest table capacity we allocate (RFC 7541 §7.3: the memory is
 * ours to bound). */
#define H2E_HPACK_CAPACITY_MAX (UINT32_C(1) << 30)

/* RFC 9113 §6.5.2: the initial SETTINGS_HEADER_TABLE_SIZE. Both ends of
 * a connection start with a table of this maximum size, until the encoder
 * signals another (RFC 7541 §4.2). */
#define H2E_HPACK_INITIAL_TABLE_SIZE 4096

/* RFC 7541 §4.1: the size of an entry is its name and value lengths + 32. */
#define H2E_HPACK_ENTRY_OVERHEAD 32

/* The first shape of a table's storage, 176 octets: the entries one
 * request leaves in a table (an :authority and a :path, or a
 * content-type and a content-length) fit without growing, and 128
 * octets and 4 descriptors fill together when entries have 32 octets of
 * strings (64 of RFC 7541 §4.1 size). Busier tables double from there. */
#define H2E_HPACK_FIRST_OCTETS 128
#define H2E_HPACK_FIRST_SLOTS  4

typedef struct h2e_hpack_entry {
  uint32_t offset; /* where the name starts in the octet ring */
  uint32_t name_len;
  uint32_t value_len;
} h2e_hpack_entry;

/* A layout of a table's storage. */
typedef struct h2e_hpack_shape {
  uint32_t octets; /* of the octet ring */
  uint32_t slots;  /* entry descriptors, a power of two; 0: no storage */
} h2e_hpack_shape;

typedef struct h2e_hpack_table {
  h2e_hpack_entry *entries; /* slots descriptors; NULL without storage */
  uint8_t *octets;          /* ring_size octets, after the descriptors */
  uint32_t entry_mask;      /* slots - 1 */
  uint32_t ring_size;
  uint32_t slots;
  uint32_t capacity; /* the largest max_size the table may be given */
  uint32_t oldest;   /* absolute insertion number of the oldest entry */
  uint32_t count;    /* entries in the table */
  uint32_t tail;     /* where the next entry's octets go */
  uint32_t size;     /* §4.1 size of the table */
  uint32_t max_size; /* §4.2 maximum size, at most capacity */
} h2e_hpack_table;

static inline uint64_t h2e_hpack_entry_size(uint64_t name_len,
                                            uint64_t value_len) {
  return name_len + value_len + H2E_HPACK_ENTRY_OVERHEAD;
}

/* The shapes a table of the given capacity goes through: the first, the
 * full one (which holds any table), and the largest before the full one
 * ({0, 0} when the first is already full). */
h2e_hpack_shape h2e_hpack_shape_first(uint32_t capacity);
h2e_hpack_shape h2e_hpack_shape_full(uint32_t capacity);
h2e_hpack_shape h2e_hpack_shape_before_full(uint32_t capacity);

/* The octets storage of the shape takes, a multiple of a pointer's size. */
size_t h2e_hpack_shape_memsize(h2e_hpack_shape shape);

/* The most memory a table of the given capacity holds at once: its full
 * storage and, while moving there, the storage it moves from. */
size_t h2e_hpack_table_memsize(uint32_t capacity);

/* Sets up an empty table with max_size = capacity and no storage. */
void h2e_hpack_table_init(h2e_hpack_table *table, uint32_t capacity);

static inline int h2e_hpack_shape_equal(h2e_hpack_shape a, h2e_hpack_shape b) {
  return a.octets == b.octets && a.slots == b.slots;
}

/* The shape the storage has now. */
static inline h2e_hpack_shape
h2e_hpack_table_shape(const h2e_hpack_table *table) {
  h2e_hpack_shape shape = {table->ring_size, table->slots};
  return shape;
}

/* Moves the entries to storage of the given shape (at least the current
 * one), taken from the allocator; the old storage goes back to it.
 * H2E_ERR_NOMEM leaves the table as it was. */
int h2e_hpack_table_resize(h2e_hpack_table *table,
                           const h2e_allocator *allocator,
                           h2e_hpack_shape shape);

/* Gives the storage of an empty table back (it grows again from the first
 * shape); also what frees a table. */
void h2e_hpack_table_release(h2e_hpack_table *table,
                             const h2e_allocator *allocator);

/* The absolute insertion number the next entry will get. */
static inline uint32_t h2e_hpack_table_next(const h2e_hpack_table *table) {
  return table->oldest + table->count;
}

/* The entry with absolute insertion number `absolute` (must be live). */
static inline const h2e_hpack_entry *
h2e_hpack_table_at(const h2e_hpack_table *table, uint32_t absolute) {
  return &table->entries[absolute & table->entry_mask];
}

/* RFC 7541 §2.3.3: dynamic index 1 is the newest entry (1 <= index <=
 * count). */
static inline const h2e_hpack_entry *
h2e_hpack_table_get(const h2e_hpack_table *table, uint32_t index) {
  return h2e_hpack_table_at(table, h2e_hpack_table_next(table) - index);
}

/* Copies len octets of the ring from pos to dst. Inline: the decoder
 * copies every dynamic field it delivers. */
static inline void h2e_hpack_table_read_span(const h2e_hpack_table *table,
                                             uint32_t pos, uint32_t len,
                                             uint8_t *dst) {
  uint32_t to_end = table->ring_size - pos;
  if (len <= to_end) {
    if (len > 0)
      memcpy(dst, table->octets + pos, len);
    return;
  }
  memcpy(dst, table->octets + pos, to_end);
  memcpy(dst + to_end, table->octets, len - to_end);
}

/* Copies the entry's name and value, back to back, to dst. */
static inline void h2e_hpack_table_read(const h2e_hpack_table *table,
                                        const h2e_hpack_entry *entry,
                                        uint8_t *dst) {
  h2e_hpack_table_read_span(table, entry->offset,
                            entry->name_len + entry->value_len, dst);
}

/* Copies the entry's name to dst. */
void h2e_hpack_table_read_name(const h2e_hpack_table *table,
                               const h2e_hpack_entry *entry, uint8_t *dst);

/* Whether the entry's name (value) is exactly the given string. */
int h2e_hpack_table_name_equals(const h2e_hpack_table *table,
                                const h2e_hpack_entry *entry,
                                const uint8_t *name, uint32_t name_len);
int h2e_hpack_table_value_equals(const h2e_hpack_table *table,
                                 const h2e_hpack_entry *entry,
                                 const uint8_t *value, uint32_t value_len);

/* RFC 7541 §4.4: whether an entry of entry_size fits without evicting. */
static inline int h2e_hpack_table_has_room(const h2e_hpack_table *table,
                                           uint64_t entry_size) {
  return table->size + entry_size <= table->max_size;
}

/* Whether the storage takes one more entry of `octets` string octets as
 * it is (the strings of the entries take size - 32 * count octets). */
static inline int h2e_hpack_table_has_storage(const h2e_hpack_table *table,
                                              uint64_t octets) {
  return table->count < table->slots &&
         table->size - (uint64_t)H2E_HPACK_ENTRY_OVERHEAD * table->count +
                 octets <=
             table->ring_size;
}

/* The smallest shape of the doubling sequence, from the current one on,
 * that either takes one more entry of `octets` string octets besides the
 * entries there are, or holds every table within max_size: after the
 * evictions RFC 7541 §4.4 makes for the entry, it fits the latter. */
h2e_hpack_shape h2e_hpack_table_grown_shape(const h2e_hpack_table *table,
                                            uint64_t octets);

static inline void h2e_hpack_table_evict_oldest(h2e_hpack_table *table) {
  const h2e_hpack_entry *entry = h2e_hpack_table_at(table, table->oldest);
  table->size -=
      (uint32_t)h2e_hpack_entry_size(entry->name_len, entry->value_len);
  table->oldest++;
  table->count--;
}

/* Adds an entry that has room (h2e_hpack_table_has_room) and storage
 * (h2e_hpack_table_has_storage). The strings must not point into the
 * table. */
void h2e_hpack_table_add(h2e_hpack_table *table, const uint8_t *name,
                         uint32_t name_len, const uint8_t *value,
                         uint32_t value_len);

/* RFC 7541 §4.4: evicts until the entry fits, grows the storage if it has
 * to, then adds the entry; an entry larger than the maximum size empties
 * the table and is not added. H2E_ERR_NOMEM when the storage could not
 * grow: the evictions are done, the entry is not added. */
int h2e_hpack_table_insert(h2e_hpack_table *table,
                           const h2e_allocator *allocator, const uint8_t *name,
                           uint32_t name_len, const uint8_t *value,
                           uint32_t value_len);

/* Evicts every entry (RFC 7541 §4.4: an entry larger than the maximum
 * size empties the table). */
void h2e_hpack_table_clear(h2e_hpack_table *table);

/* RFC 7541 §4.3: sets the maximum size (at most capacity) and evicts
 * until the table fits it. */
void h2e_hpack_table_set_max_size(h2e_hpack_table *table, uint32_t max_size);

#endif
