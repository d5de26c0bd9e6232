/* Bounded, chunk-grown item pool (see slab.h). */
#include "slab.h"

#include "mem.h"

#include <string.h>

static size_t aligned_item_size(size_t item_size) {
  size_t align = sizeof(max_align_t);
  if (item_size < sizeof(uint32_t))
    item_size = sizeof(uint32_t);
  return (item_size + align - 1) / align * align;
}

static size_t chunks_needed(uint32_t per_chunk, uint32_t capacity) {
  return ((size_t)capacity + per_chunk - 1) / per_chunk;
}

size_t h2e_slab_memsize_max(size_t item_size, uint32_t per_chunk,
                            uint32_t capacity) {
  size_t chunks = chunks_needed(per_chunk, capacity);
  return chunks * sizeof(uint8_t *) +
         chunks * per_chunk * aligned_item_size(item_size);
}

int h2e_slab_init(h2e_slab *slab, size_t item_size, uint32_t per_chunk,
                  uint32_t capacity) {
  memset(slab, 0, sizeof *slab);
  if (per_chunk == 0 || (per_chunk & (per_chunk - 1)) != 0)
    return H2E_ERR_INVALID_ARG;
  slab->item_size = aligned_item_size(item_size);
  slab->per_chunk = per_chunk;
  while ((1u << slab->chunk_shift) < per_chunk)
    slab->chunk_shift++;
  slab->capacity = capacity;
  slab->chunk_count = chunks_needed(per_chunk, capacity);
  return H2E_OK;
}

static size_t table_size(const h2e_slab *slab) {
  return slab->chunk_count * sizeof(uint8_t *);
}

/* Gives back every chunk and the chunk table. */
static void free_storage(h2e_slab *slab, const h2e_allocator *allocator) {
  size_t chunk_size = slab->per_chunk * slab->item_size;
  for (size_t i = 0; i < slab->chunk_count; i++)
    h2e_mem_free(allocator, slab->chunks[i], chunk_size);
  h2e_mem_free(allocator, slab->chunks, table_size(slab));
  slab->chunks = NULL;
}

void h2e_slab_free(h2e_slab *slab, const h2e_allocator *allocator) {
  if (slab->chunks == NULL)
    return;
  free_storage(slab, allocator);
  memset(slab, 0, sizeof *slab);
}

int h2e_slab_unused(const h2e_slab *slab) {
  return slab->grown > 0 && slab->in_use == 0;
}

void h2e_slab_release(h2e_slab *slab, const h2e_allocator *allocator) {
  if (!h2e_slab_unused(slab))
    return;
  free_storage(slab, allocator);
  slab->grown = 0;
  slab->free_head = 0;
}

static uint32_t *free_link(const h2e_slab *slab, uint32_t index) {
  return (uint32_t *)h2e_slab_item(slab, index);
}

/* Adds one chunk of free items. */
static int grow(h2e_slab *slab, const h2e_allocator *allocator) {
  size_t chunk = slab->grown / slab->per_chunk;
  if (chunk >= slab->chunk_count)
    return H2E_ERR_WOULDBLOCK;
  if (slab->chunks == NULL) {
    slab->chunks = h2e_mem_alloc(allocator, table_size(slab));
    if (slab->chunks == NULL)
      return H2E_ERR_NOMEM;
    memset(slab->chunks, 0, table_size(slab));
  }
  slab->chunks[chunk] =
      h2e_mem_alloc(allocator, slab->per_chunk * slab->item_size);
  if (slab->chunks[chunk] == NULL)
    return H2E_ERR_NOMEM;
  memset(slab->chunks[chunk], 0, slab->per_chunk * slab->item_size);
  uint32_t first = slab->grown;
  slab->grown += slab->per_chunk;
  for (uint32_t i = slab->grown; i-- > first;) {
    *free_link(slab, i) = slab->free_head;
    slab->free_head = i + 1;
  }
  return H2E_OK;
}

int64_t h2e_slab_take(h2e_slab *slab, const h2e_allocator *allocator) {
  if (slab->in_use >= slab->capacity)
    return H2E_ERR_WOULDBLOCK;
  if (slab->free_head == 0) {
    int rc = grow(slab, allocator);
    if (rc < 0)
      return rc;
  }
  uint32_t index = slab->free_head - 1;
  slab->free_head = *free_link(slab, index);
  slab->in_use++;
  return index;
}

void h2e_slab_put(h2e_slab *slab, uint32_t index) {
  *free_link(slab, index) = slab->free_head;
  slab->free_head = index + 1;
  slab->in_use--;
}
