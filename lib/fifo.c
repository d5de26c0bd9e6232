/* Bounded byte FIFO with staged octets pinned in place (see fifo.h). */
#include "fifo.h"

#include "mem.h"

#include <string.h>

int h2e_fifo_init(h2e_fifo *fifo, const h2e_allocator *allocator, size_t cap,
                  int lazy) {
  memset(fifo, 0, sizeof *fifo);
  fifo->cap = cap;
  fifo->allocator = allocator;
  if (lazy)
    return H2E_OK;
  fifo->buf = h2e_mem_alloc(allocator, cap);
  return fifo->buf ? H2E_OK : H2E_ERR_NOMEM;
}

void h2e_fifo_free(h2e_fifo *fifo) {
  if (fifo->buf)
    h2e_mem_free(fifo->allocator, fifo->buf, fifo->cap);
  memset(fifo, 0, sizeof *fifo);
}

int h2e_fifo_unused(const h2e_fifo *fifo) {
  return fifo->buf != NULL && h2e_fifo_empty(fifo);
}

void h2e_fifo_release(h2e_fifo *fifo) {
  if (!h2e_fifo_unused(fifo))
    return;
  h2e_mem_free(fifo->allocator, fifo->buf, fifo->cap);
  fifo->buf = NULL;
}

/* Moves the queued octets to the front; only while nothing is staged. */
static void compact(h2e_fifo *fifo) {
  if (fifo->head == 0 || fifo->staged != fifo->head)
    return;
  memmove(fifo->buf, fifo->buf + fifo->head, fifo->tail - fifo->head);
  fifo->base += fifo->head;
  fifo->tail -= fifo->head;
  fifo->staged -= fifo->head;
  fifo->head = 0;
}

uint8_t *h2e_fifo_reserve(h2e_fifo *fifo, size_t n) {
  if (fifo->buf == NULL &&
      (fifo->buf = h2e_mem_alloc(fifo->allocator, fifo->cap)) == NULL)
    return NULL;
  if (fifo->cap - fifo->tail < n)
    compact(fifo);
  if (fifo->cap - fifo->tail < n)
    return NULL;
  return fifo->buf + fifo->tail;
}

void h2e_fifo_commit(h2e_fifo *fifo, size_t n) {
  fifo->tail += n;
}

const uint8_t *h2e_fifo_stage(h2e_fifo *fifo) {
  const uint8_t *start = fifo->buf + fifo->staged;
  fifo->staged = fifo->tail;
  return start;
}

void h2e_fifo_written(h2e_fifo *fifo, size_t n) {
  fifo->head += n;
  if (fifo->head == fifo->tail) {
    fifo->base += fifo->tail;
    fifo->head = fifo->staged = fifo->tail = 0;
  }
}

void h2e_fifo_remove(h2e_fifo *fifo, uint64_t pos, size_t len) {
  size_t at = (size_t)(pos - fifo->base);
  memmove(fifo->buf + at, fifo->buf + at + len, fifo->tail - at - len);
  fifo->tail -= len;
}

void h2e_fifo_drop_unstaged(h2e_fifo *fifo) {
  fifo->tail = fifo->staged;
  if (fifo->head == fifo->tail) {
    fifo->base += fifo->tail;
    fifo->head = fifo->staged = fifo->tail = 0;
  }
}
