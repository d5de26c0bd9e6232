/* A bounded pool of fixed-size items, grown in chunks as needed up to its
 * capacity and shrunk only when empty: items keep their address for life,
 * and once the pool has grown to its working size, taking and putting
 * items allocates nothing (no allocation per request). */
#ifndef H2E_SLAB_H
#define H2E_SLAB_H

#include "h2e_base.h"

typedef struct h2e_slab {
  uint8_t **chunks;   /* chunk_count pointers, NULL until allocated */
  size_t chunk_count; /* chunks the capacity needs */
  size_t item_size;
  uint32_t per_chunk;   /* a power of two */
  uint32_t chunk_shift; /* log2(per_chunk) */
  uint32_t capacity;    /* most items ever in use at once */
  uint32_t grown;       /* items in allocated chunks */
  uint32_t in_use;
  uint32_t free_head; /* index + 1 of a free item, 0: none */
} h2e_slab;

/* Items are at least 4 octets (a free item holds the free-list link) and
 * aligned for any use; per_chunk is a power of two (H2E_ERR_INVALID_ARG
 * otherwise), so finding an item takes a shift and a mask. Allocates
 * nothing: the chunk table comes with the first chunk. */
int h2e_slab_init(h2e_slab *slab, size_t item_size, uint32_t per_chunk,
                  uint32_t capacity);
void h2e_slab_free(h2e_slab *slab, const h2e_allocator *allocator);

/* Whether the slab holds chunks but no item is in use. */
int h2e_slab_unused(const h2e_slab *slab);

/* Gives the chunks back while no item is in use (the pool grows again
 * from nothing). */
void h2e_slab_release(h2e_slab *slab, const h2e_allocator *allocator);

/* The most memory a slab with these parameters takes. */
size_t h2e_slab_memsize_max(size_t item_size, uint32_t per_chunk,
                            uint32_t capacity);

/* Takes a free item (growing by a chunk when none is free). Returns its
 * index, or H2E_ERR_WOULDBLOCK at capacity, or H2E_ERR_NOMEM. */
int64_t h2e_slab_take(h2e_slab *slab, const h2e_allocator *allocator);
void h2e_slab_put(h2e_slab *slab, uint32_t index);

/* The item at index (index < slab->grown). */
static inline void *h2e_slab_item(const h2e_slab *slab, uint32_t index) {
  return slab->chunks[index >> slab->chunk_shift] +
         (size_t)(index & (slab->per_chunk - 1)) * slab->item_size;
}

#endif
