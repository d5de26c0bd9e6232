/* The stream table: live streams from a bounded pool, found by id in O(1)
 * through an open-addressing hash (linear probing, deletion by backward
 * shift, so no tombstones), and a ring remembering how the most recently
 * closed streams closed (RFC 9113 §5.1 treats late frames by cause). */
#include "stream.h"

#include "mem.h"

#include <string.h>

/* Streams are allocated this many at a time. */
#define STREAMS_PER_CHUNK 16

static uint32_t bucket_count_for(uint32_t capacity) {
  uint32_t count = 8;
  while (count < 2 * (uint64_t)capacity)
    count *= 2;
  return count;
}

size_t h2e_stream_table_memsize_max(uint32_t capacity,
                                    uint32_t closed_capacity) {
  return h2e_slab_memsize_max(sizeof(h2e_stream), STREAMS_PER_CHUNK, capacity) +
         bucket_count_for(capacity) * sizeof(uint32_t) +
         /* old and new ring while growing */
         2 * (size_t)closed_capacity * sizeof(h2e_closed_stream);
}

int h2e_stream_table_init(h2e_stream_table *table, uint32_t capacity,
                          uint32_t closed_capacity) {
  memset(table, 0, sizeof *table);
  int rc = h2e_slab_init(&table->slots, sizeof(h2e_stream), STREAMS_PER_CHUNK,
                         capacity);
  /* The hash and the closed ring are taken when first needed. */
  table->mask = bucket_count_for(capacity) - 1;
  table->closed_cap = closed_capacity;
  return rc;
}

static size_t buckets_size(const h2e_stream_table *table) {
  return (table->mask + 1) * sizeof(uint32_t);
}

void h2e_stream_table_free(h2e_stream_table *table,
                           const h2e_allocator *allocator) {
  h2e_mem_free(allocator, table->buckets, buckets_size(table));
  h2e_mem_free(allocator, table->closed,
               table->closed_room * sizeof(h2e_closed_stream));
  h2e_slab_free(&table->slots, allocator);
  memset(table, 0, sizeof *table);
}

void h2e_stream_table_release(h2e_stream_table *table,
                              const h2e_allocator *allocator) {
  if (table->count != 0)
    return;
  h2e_mem_free(allocator, table->buckets, buckets_size(table));
  table->buckets = NULL;
  h2e_slab_release(&table->slots, allocator);
}

int h2e_stream_table_unused(const h2e_stream_table *table) {
  return table->count == 0 &&
         (table->buckets != NULL || h2e_slab_unused(&table->slots));
}

static uint32_t home_bucket(const h2e_stream_table *table, uint32_t id) {
  return (uint32_t)((id * 2654435761u) >> 7) & table->mask;
}

static h2e_stream *slot_stream(const h2e_stream_table *table, uint32_t slot) {
  return h2e_slab_item(&table->slots, slot);
}

h2e_stream *h2e_stream_find(const h2e_stream_table *table, uint32_t id) {
  if (table->newest != NULL && table->newest->id == id)
    return table->newest;
  if (table->buckets == NULL)
    return NULL;
  for (uint32_t b = home_bucket(table, id);; b = (b + 1) & table->mask) {
    uint32_t entry = table->buckets[b];
    if (entry == 0)
      return NULL;
    h2e_stream *stream = slot_stream(table, entry - 1);
    if (stream->id == id)
      return stream;
  }
}

static int buckets_take(h2e_stream_table *table,
                        const h2e_allocator *allocator) {
  if (table->buckets != NULL)
    return H2E_OK;
  table->buckets = h2e_mem_alloc(allocator, buckets_size(table));
  if (table->buckets == NULL)
    return H2E_ERR_NOMEM;
  memset(table->buckets, 0, buckets_size(table));
  return H2E_OK;
}

h2e_stream *h2e_stream_create(h2e_stream_table *table,
                              const h2e_allocator *allocator, uint32_t id,
                              int *err) {
  if (buckets_take(table, allocator) != H2E_OK) {
    *err = H2E_ERR_NOMEM;
    return NULL;
  }
  int64_t slot = h2e_slab_take(&table->slots, allocator);
  if (slot < 0) {
    *err = (int)slot;
    return NULL;
  }
  h2e_stream *stream = slot_stream(table, (uint32_t)slot);
  memset(stream, 0, sizeof *stream);
  stream->id = id;
  h2e_sched_node_init(&stream->sched, id);
  stream->slot = (uint32_t)slot;
  stream->live = 1;
  stream->state = H2E_SS_IDLE;
  uint32_t b = home_bucket(table, id);
  while (table->buckets[b] != 0)
    b = (b + 1) & table->mask;
  table->buckets[b] = (uint32_t)slot + 1;
  table->count++;
  table->newest = stream;
  return stream;
}

/* 1 when the entry in bucket `at`, whose home is `home`, may move back to
 * the hole at `hole` (its probe sequence passes the hole). */
static int may_fill(uint32_t hole, uint32_t home, uint32_t at, uint32_t mask) {
  return ((at - home) & mask) >= ((at - hole) & mask);
}

static void remove_bucket(h2e_stream_table *table, uint32_t id) {
  uint32_t hole = home_bucket(table, id);
  while (slot_stream(table, table->buckets[hole] - 1)->id != id)
    hole = (hole + 1) & table->mask;
  for (uint32_t at = (hole + 1) & table->mask; table->buckets[at] != 0;
       at = (at + 1) & table->mask) {
    uint32_t home =
        home_bucket(table, slot_stream(table, table->buckets[at] - 1)->id);
    if (may_fill(hole, home, at, table->mask)) {
      table->buckets[hole] = table->buckets[at];
      hole = at;
    }
  }
  table->buckets[hole] = 0;
}

/* Doubles the closed ring (up to closed_cap), oldest first in the new
 * one. On failure the ring stays as it is and forgets its oldest. */
static void closed_grow(h2e_stream_table *table,
                        const h2e_allocator *allocator) {
  uint32_t room = table->closed_room ? 2 * table->closed_room : 8;
  if (room > table->closed_cap)
    room = table->closed_cap;
  h2e_closed_stream *ring =
      h2e_mem_alloc(allocator, room * sizeof(h2e_closed_stream));
  if (ring == NULL)
    return;
  for (uint32_t i = 0; i < table->closed_count; i++)
    ring[i] = table->closed[(table->closed_next + i) % table->closed_room];
  h2e_mem_free(allocator, table->closed,
               table->closed_room * sizeof(h2e_closed_stream));
  table->closed = ring;
  table->closed_next = table->closed_count;
  table->closed_room = room;
}

int h2e_stream_remember_closed(h2e_stream_table *table,
                               const h2e_allocator *allocator, uint32_t id,
                               h2e_sstate closed_state) {
  if (table->closed_count == table->closed_room &&
      table->closed_room < table->closed_cap)
    closed_grow(table, allocator);
  if (table->closed_room == 0)
    return table->closed_cap == 0 ? H2E_OK : H2E_ERR_NOMEM;
  table->closed[table->closed_next] =
      (h2e_closed_stream){id, (uint8_t)closed_state};
  table->closed_next = (table->closed_next + 1) % table->closed_room;
  if (table->closed_count < table->closed_room)
    table->closed_count++;
  return H2E_OK;
}

int h2e_stream_destroy(h2e_stream_table *table, const h2e_allocator *allocator,
                       h2e_stream *stream, h2e_sstate closed_state) {
  uint32_t id = stream->id;
  remove_bucket(table, id);
  stream->live = 0;
  table->count--;
  if (table->newest == stream)
    table->newest = NULL;
  h2e_slab_put(&table->slots, stream->slot); /* stream is gone from here */
  return h2e_stream_remember_closed(table, allocator, id, closed_state);
}

h2e_sstate h2e_stream_closed_state(const h2e_stream_table *table, uint32_t id) {
  /* Newest first: a stream reset after it closed is remembered twice. */
  for (uint32_t i = 1; i <= table->closed_count; i++) {
    const h2e_closed_stream *c =
        &table->closed[(table->closed_next + table->closed_room - i) %
                       table->closed_room];
    if (c->id == id)
      return (h2e_sstate)c->state;
  }
  return H2E_SS_CLOSED_UNKNOWN;
}

h2e_stream *h2e_stream_at(const h2e_stream_table *table, uint32_t index) {
  h2e_stream *stream = slot_stream(table, index);
  return stream->live ? stream : NULL;
}
