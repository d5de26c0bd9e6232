/* The loop's cache of large buffers given back (see buffer_cache.h). */
#include "buffer_cache.h"

#include <string.h>

void h2e_buffer_cache_init(h2e_buffer_cache *cache, const h2e_allocator *behind,
                           size_t cap) {
  memset(cache, 0, sizeof *cache);
  cache->behind = *behind;
  cache->cap = cap;
}

/* The bin of blocks of this size, or NULL when none is kept. */
static h2e_buffer_bin *bin_of(h2e_buffer_cache *cache, size_t size) {
  for (size_t i = 0; i < H2E_BUFFER_CACHE_BINS; i++) {
    h2e_buffer_bin *bin = &cache->bins[i];
    if (bin->count > 0 && bin->size == size)
      return bin;
  }
  return NULL;
}

static h2e_buffer_bin *empty_bin(h2e_buffer_cache *cache) {
  for (size_t i = 0; i < H2E_BUFFER_CACHE_BINS; i++)
    if (cache->bins[i].count == 0)
      return &cache->bins[i];
  return NULL;
}

static void *pop(h2e_buffer_bin *bin) {
  void *block = bin->head;
  memcpy(&bin->head, block, sizeof bin->head);
  bin->count--;
  return block;
}

static void push(h2e_buffer_bin *bin, void *block) {
  memcpy(block, &bin->head, sizeof bin->head);
  bin->head = block;
  bin->count++;
}

/* Where a block given back is kept, or NULL: too small to be worth it,
 * no room left, or no bin free for a new size. */
static h2e_buffer_bin *bin_to_keep(h2e_buffer_cache *cache, size_t size) {
  if (size < H2E_BUFFER_CACHE_MIN || size > cache->cap - cache->held)
    return NULL;
  h2e_buffer_bin *bin = bin_of(cache, size);
  if (bin == NULL && (bin = empty_bin(cache)) != NULL)
    bin->size = size;
  return bin;
}

static void *cached_alloc(void *ctx, size_t size) {
  h2e_buffer_cache *cache = ctx;
  h2e_buffer_bin *bin =
      size >= H2E_BUFFER_CACHE_MIN ? bin_of(cache, size) : NULL;
  if (bin == NULL)
    return cache->behind.alloc(cache->behind.ctx, size);
  cache->held -= size;
  return pop(bin);
}

static void cached_free(void *ctx, void *ptr, size_t size) {
  h2e_buffer_cache *cache = ctx;
  if (ptr == NULL)
    return;
  h2e_buffer_bin *bin = bin_to_keep(cache, size);
  if (bin == NULL) {
    cache->behind.free(cache->behind.ctx, ptr, size);
    return;
  }
  push(bin, ptr);
  cache->held += size;
}

h2e_allocator h2e_buffer_cache_allocator(h2e_buffer_cache *cache) {
  h2e_allocator a = {cached_alloc, cached_free, cache};
  return a;
}

void h2e_buffer_cache_free(h2e_buffer_cache *cache) {
  for (size_t i = 0; i < H2E_BUFFER_CACHE_BINS; i++) {
    h2e_buffer_bin *bin = &cache->bins[i];
    while (bin->count > 0)
      cache->behind.free(cache->behind.ctx, pop(bin), bin->size);
  }
  cache->held = 0;
}
