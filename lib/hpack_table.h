/* RFC 7541 §2.3.2, §4: the dynamic table.
 *
 * Entries sit in two rings allocated once for the largest size the table
 * may have (its capacity): a ring of entry descriptors, addressed by the
 * entry's absolute insertion number, and a ring of octets holding each
 * entry's name followed by its value. An entry costs its string lengths
 * plus 32 (§4.1), so capacity octets always hold the strings of a full
 * table; a string may wrap around the end of the octet ring. Insert and
 * evict are O(1) and never allocate. */
#ifndef H2E_HPACK_TABLE_H
#define H2E_HPACK_TABLE_H

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

typedef struct h2e_hpack_entry {
  uint32_t offset; /* where the name starts in the octet ring */
  uint32_t name_len;
  uint32_t value_len;
} h2e_hpack_entry;

typedef struct h2e_hpack_table {
  h2e_hpack_entry *entries; /* entry_mask + 1 descriptors */
  uint8_t *octets;          /* capacity octets */
  uint32_t entry_mask;
  uint32_t capacity;
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

/* Entry descriptors kept for a capacity: a power of two that holds the
 * most entries capacity allows (capacity / 32). */
uint32_t h2e_hpack_table_entry_slots(uint32_t capacity);

/* Memory for a table of the given capacity, aligned like a pointer. */
size_t h2e_hpack_table_memsize(uint32_t capacity);

/* Sets up an empty table with max_size = capacity in memory of
 * h2e_hpack_table_memsize(capacity) octets. */
void h2e_hpack_table_init(h2e_hpack_table *table, void *memory,
                          uint32_t capacity);

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
  uint32_t to_end = table->capacity - pos;
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

static inline void h2e_hpack_table_evict_oldest(h2e_hpack_table *table) {
  const h2e_hpack_entry *entry = h2e_hpack_table_at(table, table->oldest);
  table->size -=
      (uint32_t)h2e_hpack_entry_size(entry->name_len, entry->value_len);
  table->oldest++;
  table->count--;
}

/* Adds an entry that has room (h2e_hpack_table_has_room). The strings must
 * not point into the table. */
void h2e_hpack_table_add(h2e_hpack_table *table, const uint8_t *name,
                         uint32_t name_len, const uint8_t *value,
                         uint32_t value_len);

/* RFC 7541 §4.4: evicts until the entry fits, then adds it; an entry
 * larger than the maximum size empties the table and is not added. */
void h2e_hpack_table_insert(h2e_hpack_table *table, const uint8_t *name,
                            uint32_t name_len, const uint8_t *value,
                            uint32_t value_len);

/* Evicts every entry (RFC 7541 §4.4: an entry larger than the maximum
 * size empties the table). */
void h2e_hpack_table_clear(h2e_hpack_table *table);

/* RFC 7541 §4.3: sets the maximum size (at most capacity) and evicts
 * until the table fits it. */
void h2e_hpack_table_set_max_size(h2e_hpack_table *table, uint32_t max_size);

#endif
