/* Allocation through the caller's allocator (or libc when none is given). */
#ifndef H2E_MEM_H
#define H2E_MEM_H

#include "h2e_base.h"

void *h2e_mem_alloc(const h2e_allocator *allocator, size_t size);
void h2e_mem_free(const h2e_allocator *allocator, void *ptr, size_t size);

#endif
