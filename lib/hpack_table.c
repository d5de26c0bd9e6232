/* RFC 7541 §2.3.2, §4: the dynamic table as two rings. */
#include "hpack_table.h"

#include "hpack_hash.h"
#include "mem.h"

#include <string.h>

/* Descriptors for a capacity: a power of two that holds the most entries
 * capacity allows (capacity / 32); none when not even an empty entry fits. */
static uint32_t full_slots(uint32_t capacity) {
  uint32_t most_entries = capacity / H2E_HPACK_ENTRY_OVERHEAD;
  uint32_t slots = most_entries > 0 ? 1 : 0;
  while (slots < most_entries)
    slots <<= 1;
  return slots;
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
  return a < b ? a : b;
}

h2e_hpack_shape h2e_hpack_shape_full(uint32_t capacity) {
  uint32_t slots = full_slots(capacity);
  h2e_hpack_shape shape = {slots > 0 ? capacity : 0, slots};
  return shape;
}

h2e_hpack_shape h2e_hpack_shape_first(uint32_t capacity) {
  h2e_hpack_shape full = h2e_hpack_shape_full(capacity);
  h2e_hpack_shape shape = {min_u32(full.octets, H2E_HPACK_FIRST_OCTETS),
                           min_u32(full.slots, H2E_HPACK_FIRST_SLOTS)};
  return shape;
}

/* The next shape of the sequence: both dimensions doubled, up to the full
 * shape (octets <= 2^30, so doubling does not overflow). */
static h2e_hpack_shape shape_doubled(h2e_hpack_shape shape,
                                     h2e_hpack_shape full) {
  h2e_hpack_shape next = {min_u32(2 * shape.octets, full.octets),
                          min_u32(2 * shape.slots, full.slots)};
  return next;
}

h2e_hpack_shape h2e_hpack_shape_before_full(uint32_t capacity) {
  h2e_hpack_shape full = h2e_hpack_shape_full(capacity);
  h2e_hpack_shape before = {0, 0};
  for (h2e_hpack_shape shape = h2e_hpack_shape_first(capacity);
       !h2e_hpack_shape_equal(shape, full); shape = shape_doubled(shape, full))
    before = shape;
  return before;
}

static size_t align_up(size_t size) {
  return (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

size_t h2e_hpack_shape_memsize(h2e_hpack_shape shape) {
  return align_up(shape.slots * sizeof(h2e_hpack_entry) + shape.octets);
}

size_t h2e_hpack_table_memsize(uint32_t capacity) {
  return h2e_hpack_shape_memsize(h2e_hpack_shape_full(capacity)) +
         h2e_hpack_shape_memsize(h2e_hpack_shape_before_full(capacity));
}

void h2e_hpack_table_init(h2e_hpack_table *table, uint32_t capacity) {
  memset(table, 0, sizeof *table);
  table->capacity = capacity;
  table->max_size = capacity;
}

/* Whether the shape takes `entries` entries of `octets` string octets. */
static int shape_holds(h2e_hpack_shape shape, uint64_t entries,
                       uint64_t octets) {
  return entries <= shape.slots && octets <= shape.octets;
}

h2e_hpack_shape h2e_hpack_table_grown_shape(const h2e_hpack_table *table,
                                            uint64_t octets) {
  h2e_hpack_shape full = h2e_hpack_shape_full(table->capacity);
  uint64_t max_size = table->max_size;
  uint64_t live =
      table->size - (uint64_t)H2E_HPACK_ENTRY_OVERHEAD * table->count;
  h2e_hpack_shape shape = table->slots > 0
                              ? h2e_hpack_table_shape(table)
                              : h2e_hpack_shape_first(table->capacity);
  while (!shape_holds(shape, (uint64_t)table->count + 1, live + octets) &&
         !shape_holds(shape, max_size / H2E_HPACK_ENTRY_OVERHEAD, max_size) &&
         !h2e_hpack_shape_equal(shape, full))
    shape = shape_doubled(shape, full);
  return shape;
}

/* Position len octets after pos in the octet ring. */
static uint32_t ring_advance(const h2e_hpack_table *table, uint32_t pos,
                             uint32_t len) {
  uint32_t next = pos + len;
  return next >= table->ring_size ? next - table->ring_size : next;
}

/* Octets from pos up to the end of the ring, at most len. */
static uint32_t ring_run(const h2e_hpack_table *table, uint32_t pos,
                         uint32_t len) {
  uint32_t to_end = table->ring_size - pos;
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

static void free_storage(h2e_hpack_table *table,
                         const h2e_allocator *allocator) {
  h2e_mem_free(allocator, table->entries,
               h2e_hpack_shape_memsize(h2e_hpack_table_shape(table)));
}

int h2e_hpack_table_resize(h2e_hpack_table *table,
                           const h2e_allocator *allocator,
                           h2e_hpack_shape shape) {
  uint8_t *memory = h2e_mem_alloc(allocator, h2e_hpack_shape_memsize(shape));
  if (memory == NULL)
    return H2E_ERR_NOMEM;
  h2e_hpack_entry *entries = (h2e_hpack_entry *)(void *)memory;
  uint8_t *octets = memory + shape.slots * sizeof *entries;
  uint32_t tail = 0;
  for (uint32_t absolute = table->oldest;
       absolute != h2e_hpack_table_next(table); absolute++) {
    h2e_hpack_entry entry = *h2e_hpack_table_at(table, absolute);
    h2e_hpack_table_read(table, &entry, octets + tail);
    entry.offset = tail;
    tail += entry.name_len + entry.value_len;
    entries[absolute & (shape.slots - 1)] = entry;
  }
  free_storage(table, allocator);
  table->entries = entries;
  table->octets = octets;
  table->entry_mask = shape.slots - 1;
  table->slots = shape.slots;
  table->ring_size = shape.octets;
  table->tail = tail < shape.octets ? tail : 0;
  return H2E_OK;
}

void h2e_hpack_table_release(h2e_hpack_table *table,
                             const h2e_allocator *allocator) {
  free_storage(table, allocator);
  table->entries = NULL;
  table->octets = NULL;
  table->entry_mask = 0;
  table->slots = 0;
  table->ring_size = 0;
  table->tail = 0;
}

int h2e_hpack_table_insert(h2e_hpack_table *table,
                           const h2e_allocator *allocator, const uint8_t *name,
                           uint32_t name_len, const uint8_t *value,
                           uint32_t value_len) {
  uint64_t entry_size = h2e_hpack_entry_size(name_len, value_len);
  if (entry_size > table->max_size) {
    h2e_hpack_table_clear(table);
    return H2E_OK;
  }
  while (!h2e_hpack_table_has_room(table, entry_size))
    h2e_hpack_table_evict_oldest(table);
  uint64_t octets = (uint64_t)name_len + value_len;
  if (!h2e_hpack_table_has_storage(table, octets)) {
    int rc = h2e_hpack_table_resize(table, allocator,
                                    h2e_hpack_table_grown_shape(table, octets));
    if (rc != H2E_OK)
      return rc;
  }
  add_entry(table, name, name_len, value, value_len);
  return H2E_OK;
}

void h2e_hpack_table_set_max_size(h2e_hpack_table *table, uint32_t max_size) {
  table->max_size = max_size;
  while (table->size > max_size)
    h2e_hpack_table_evict_oldest(table);
}
