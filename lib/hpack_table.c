/* RFC 7541 §2.3.2, §4: the dynamic table as two rings. */
#include "hpack_table.h"

#include "hpack_hash.h"

#include <string.h>

uint32_t h2e_hpack_table_entry_slots(uint32_t capacity) {
  uint32_t most_entries = capacity / H2E_HPACK_ENTRY_OVERHEAD;
  uint32_t slots = 1;
  while (slots < most_entries)
    slots <<= 1;
  return slots;
}

static size_t align_up(size_t size) {
  return (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

size_t h2e_hpack_table_memsize(uint32_t capacity) {
  return align_up(h2e_hpack_table_entry_slots(capacity) *
                      sizeof(h2e_hpack_entry) +
                  (size_t)capacity);
}

void h2e_hpack_table_init(h2e_hpack_table *table, void *memory,
                          uint32_t capacity) {
  uint32_t slots = h2e_hpack_table_entry_slots(capacity);
  memset(table, 0, sizeof *table);
  table->entries = memory;
  table->octets = (uint8_t *)memory + slots * sizeof(h2e_hpack_entry);
  table->entry_mask = slots - 1;
  table->capacity = capacity;
  table->max_size = capacity;
}

/* Position len octets after pos in the octet ring. */
static uint32_t ring_advance(const h2e_hpack_table *table, uint32_t pos,
                             uint32_t len) {
  uint32_t next = pos + len;
  return next >= table->capacity ? next - table->capacity : next;
}

/* Octets from pos up to the end of the ring, at most len. */
static uint32_t ring_run(const h2e_hpack_table *table, uint32_t pos,
                         uint32_t len) {
  uint32_t to_end = table->capacity - pos;
  return len < to_end ? len : to_end;
}

static uint32_t ring_write(h2e_hpack_table *table, uint32_t pos,
                           const uint8_t *src, uint32_t len) {
  if (len == 0)
    return pos;
  uint32_t run = ring_run(table, pos, len);
  memcpy(table->octets + pos, src, run);
  if (run < len)
    memcpy(table->octets, src + run, len - run);
  return ring_advance(table, pos, len);
}

static int ring_equals(const h2e_hpack_table *table, uint32_t pos,
                       const uint8_t *src, uint32_t len) {
  if (len == 0)
    return 1;
  uint32_t run = ring_run(table, pos, len);
  return h2e_hpack_bytes_equal(table->octets + pos, src, run) &&
         h2e_hpack_bytes_equal(table->octets, src + run, len - run);
}

void h2e_hpack_table_read_name(const h2e_hpack_table *table,
                               const h2e_hpack_entry *entry, uint8_t *dst) {
  h2e_hpack_table_read_span(table, entry->offset, entry->name_len, dst);
}

int h2e_hpack_table_name_equals(const h2e_hpack_table *table,
                                const h2e_hpack_entry *entry,
                                const uint8_t *name, uint32_t name_len) {
  return entry->name_len == name_len &&
         ring_equals(table, entry->offset, name, name_len);
}

int h2e_hpack_table_value_equals(const h2e_hpack_table *table,
                                 const h2e_hpack_entry *entry,
                                 const uint8_t *value, uint32_t value_len) {
  return entry->value_len == value_len &&
         ring_equals(table, ring_advance(table, entry->offset, entry->name_len),
                     value, value_len);
}

/* The body of h2e_hpack_table_add, inlined into insert, the decoder's
 * path. */
static inline void add_entry(h2e_hpack_table *table, const uint8_t *name,
                             uint32_t name_len, const uint8_t *value,
                             uint32_t value_len) {
  h2e_hpack_entry *entry =
      &table->entries[h2e_hpack_table_next(table) & table->entry_mask];
  entry->offset = table->tail;
  entry->name_len = name_len;
  entry->value_len = value_len;
  table->tail = ring_write(table, table->tail, name, name_len);
  table->tail = ring_write(table, table->tail, value, value_len);
  table->size += (uint32_t)h2e_hpack_entry_size(name_len, value_len);
  table->count++;
}

void h2e_hpack_table_add(h2e_hpack_table *table, const uint8_t *name,
                         uint32_t name_len, const uint8_t *value,
                         uint32_t value_len) {
  add_entry(table, name, name_len, value, value_len);
}

void h2e_hpack_table_clear(h2e_hpack_table *table) {
  table->oldest += table->count;
  table->count = 0;
  table->size = 0;
}

void h2e_hpack_table_insert(h2e_hpack_table *table, const uint8_t *name,
                            uint32_t name_len, const uint8_t *value,
                            uint32_t value_len) {
  uint64_t entry_size = h2e_hpack_entry_size(name_len, value_len);
  if (entry_size > table->max_size) {
    h2e_hpack_table_clear(table);
    return;
  }
  while (!h2e_hpack_table_has_room(table, entry_size))
    h2e_hpack_table_evict_oldest(table);
  add_entry(table, name, name_len, value, value_len);
}

void h2e_hpack_table_set_max_size(h2e_hpack_table *table, uint32_t max_size) {
  table->max_size = max_size;
  while (table->size > max_size)
    h2e_hpack_table_evict_oldest(table);
}
