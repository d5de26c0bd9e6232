/* The engine's allocator in the connection fuzz targets: counts live
 * octets against h2e_conn_memsize_max (DESIGN.md: the bound is a promise
 * an embedded caller builds an arena on), checks that every free gets the
 * size that was asked for, and can refuse one chosen allocation so the
 * out-of-memory paths run too. */
#ifndef CONN_FUZZ_ALLOC_H
#define CONN_FUZZ_ALLOC_H

#include "conn_fuzz_check.h"

typedef struct cf_budget {
  size_t limit;      /* h2e_conn_memsize_max of the config */
  size_t live_bytes; /* octets allocated and not freed */
  size_t peak_bytes;
  size_t live_blocks;
  uint64_t allocations;
  uint64_t fail_at; /* refuse this allocation (1-based); 0: never */
  int in_new;       /* inside h2e_conn_new (its clean-up on failure) */
} cf_budget;

/* The requested size sits in front of each block, so free can check it. */
#define CF_ALLOC_HEADER 16

static void *cf_alloc(void *ctx, size_t size) {
  cf_budget *budget = ctx;
  if (++budget->allocations == budget->fail_at)
    return NULL;
  CF_CHECK(size > 0, "alloc_zero_size");
  CF_CHECK(size <= budget->limit, "memsize_max");
  unsigned char *block = malloc(CF_ALLOC_HEADER + size);
  if (block == NULL)
    return NULL;
  memcpy(block, &size, sizeof size);
  budget->live_bytes += size;
  budget->live_blocks++;
  if (budget->live_bytes > budget->peak_bytes)
    budget->peak_bytes = budget->live_bytes;
  /* DESIGN.md: h2e_conn_memsize_max is the most a connection ever takes. */
  CF_CHECK(budget->live_bytes <= budget->limit, "memsize_max");
  return block + CF_ALLOC_HEADER;
}

static void cf_free(void *ctx, void *ptr, size_t size) {
  cf_budget *budget = ctx;
  if (ptr == NULL)
    return;
  unsigned char *block = (unsigned char *)ptr - CF_ALLOC_HEADER;
  size_t asked;
  memcpy(&asked, block, sizeof asked);
  if (budget->in_new)
    CF_CHECK(asked == size, "free_size_in_failed_new");
  else
    CF_CHECK(asked == size, "free_size");
  CF_CHECK(budget->live_blocks > 0, "free_unknown");
  budget->live_bytes -= asked;
  budget->live_blocks--;
  free(block);
}

static h2e_allocator cf_budget_allocator(cf_budget *budget, size_t limit,
                                         uint64_t fail_at) {
  memset(budget, 0, sizeof *budget);
  budget->limit = limit;
  budget->fail_at = fail_at;
  h2e_allocator allocator = {cf_alloc, cf_free, budget};
  return allocator;
}

#endif
