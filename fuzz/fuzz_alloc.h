/* An allocator for the fuzz targets that checks h2e's use of it: every
 * free gets the size that was asked for (h2e_base.h), nothing is allocated
 * while `steady` is set (DESIGN.md: no allocation in steady state), the
 * octets live never pass `limit` (a memsize bound; 0: none), and nothing
 * is left live at the end. Violations abort, which libFuzzer reports as a
 * crash with the input that caused it. */
#ifndef H2E_FUZZ_ALLOC_H
#define H2E_FUZZ_ALLOC_H

#include "h2e_base.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct fuzz_alloc_state {
  size_t live;       /* allocations not yet freed */
  size_t live_bytes; /* their octets */
  size_t limit;      /* the most live_bytes may reach; 0: no limit */
  int steady;        /* set while nothing may be allocated */
} fuzz_alloc_state;

/* Each block carries its size in front, so free can check it. */
#define FUZZ_ALLOC_HEADER 16

static inline void fuzz_alloc_fail(const char *why) {
  fprintf(stderr, "fuzz_alloc: %s\n", why);
  abort();
}

static inline void *fuzz_alloc(void *ctx, size_t size) {
  fuzz_alloc_state *state = ctx;
  if (state->steady)
    fuzz_alloc_fail("allocation while encoding or decoding");
  if (state->limit != 0 && size > state->limit - state->live_bytes)
    fuzz_alloc_fail("more memory live than the memsize bound");
  unsigned char *block = malloc(FUZZ_ALLOC_HEADER + size);
  if (block == NULL)
    return NULL;
  *(size_t *)(void *)block = size;
  state->live++;
  state->live_bytes += size;
  return block + FUZZ_ALLOC_HEADER;
}

static inline void fuzz_free(void *ctx, void *ptr, size_t size) {
  fuzz_alloc_state *state = ctx;
  if (ptr == NULL)
    return;
  unsigned char *block = (unsigned char *)ptr - FUZZ_ALLOC_HEADER;
  if (*(size_t *)(void *)block != size)
    fuzz_alloc_fail("free with a size other than the one allocated");
  state->live--;
  state->live_bytes -= size;
  free(block);
}

static inline h2e_allocator fuzz_allocator(fuzz_alloc_state *state) {
  state->live = 0;
  state->live_bytes = 0;
  state->limit = 0;
  state->steady = 0;
  h2e_allocator allocator = {fuzz_alloc, fuzz_free, state};
  return allocator;
}

static inline void fuzz_alloc_expect_all_freed(const fuzz_alloc_state *state) {
  if (state->live != 0)
    fuzz_alloc_fail("allocations left live after free");
}

#endif
