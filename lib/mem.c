#include "mem.h"

#include <stdlib.h>

void *h2e_mem_alloc(const h2e_allocator *allocator, size_t size) {
  if (allocator == NULL || allocator->alloc == NULL)
    return malloc(size);
  return allocator->alloc(allocator->ctx, size);
}

void h2e_mem_free(const h2e_allocator *allocator, void *ptr, size_t size) {
  if (ptr == NULL)
    return;
  if (allocator == NULL || allocator->free == NULL)
    free(ptr);
  else
    allocator->free(allocator->ctx, ptr, size);
}
