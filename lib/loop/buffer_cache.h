/* Internal: large buffers the loop's connections gave back, kept for the
 * next connection that takes one of the same size. An engine gives its
 * buffers back as soon as no stream is open (h2e_config.buffer_linger_ms),
 * so at many requests per connection each burst would otherwise free and
 * allocate them again; the cache turns that into a pop and a push while
 * the memory it holds stays bounded and shared by the whole loop. */
#ifndef H2E_LOOP_BUFFER_CACHE_H
#define H2E_LOOP_BUFFER_CACHE_H

#include "h2e_base.h"

#include <stddef.h>

/* Blocks below this size go straight to the allocator behind. */
#define H2E_BUFFER_CACHE_MIN 1024
/* Distinct sizes kept at once (an engine and its adapter use about ten). */
#define H2E_BUFFER_CACHE_BINS 16

typedef struct h2e_buffer_bin {
  size_t size; /* octets of each block; meaningful while count > 0 */
  void *head;  /* free blocks, each holding a pointer to the next */
  size_t count;
} h2e_buffer_bin;

typedef struct h2e_buffer_cache {
  h2e_allocator behind;
  size_t held, cap; /* octets kept now, at most */
  h2e_buffer_bin bins[H2E_BUFFER_CACHE_BINS];
} h2e_buffer_cache;

void h2e_buffer_cache_init(h2e_buffer_cache *cache, const h2e_allocator *behind,
                           size_t cap);
/* An allocator that takes from the cache first and gives back to it while
 * it has room. The cache must outlive everything allocated through it. */
h2e_allocator h2e_buffer_cache_allocator(h2e_buffer_cache *cache);
/* Gives every kept block back to the allocator behind. */
void h2e_buffer_cache_free(h2e_buffer_cache *cache);

#endif /* H2E_LOOP_BUFFER_CACHE_H */
