/* A bounded byte FIFO for frames the engine writes (control frames,
 * encoded header blocks). Octets go through three marks: queued at the
 * tail, staged (handed to the caller as output vecs) and written (head).
 * Positions are also counted in total octets since creation, so a place
 * in the FIFO can be named across compactions. Staged octets never move:
 * the FIFO compacts only when nothing is staged. */
#ifndef H2E_FIFO_H
#define H2E_FIFO_H

#include "h2e_base.h"

typedef struct h2e_fifo {
  uint8_t *buf; /* NULL until the first reserve, and again once released */
  size_t cap;
  const h2e_allocator *allocator;
  size_t head;   /* first octet not yet written */
  size_t staged; /* first octet not yet staged */
  size_t tail;   /* end of the queued octets */
  uint64_t base; /* total octets before buf[0] */
} h2e_fifo;

/* A FIFO of cap octets whose buffer is taken from the allocator (which
 * must outlive it) now, or at the first reserve when lazy. */
int h2e_fifo_init(h2e_fifo *fifo, const h2e_allocator *allocator, size_t cap,
                  int lazy);
void h2e_fifo_free(h2e_fifo *fifo);

/* Whether the FIFO holds a buffer with nothing queued in it. */
int h2e_fifo_unused(const h2e_fifo *fifo);

/* Gives the buffer back if nothing is queued (the next reserve takes it
 * again). */
void h2e_fifo_release(h2e_fifo *fifo);

/* Room for n octets at the tail (compacting if allowed), or NULL (no
 * room, or no buffer: fifo->buf is then NULL). Fill them, then
 * h2e_fifo_commit what was used. */
uint8_t *h2e_fifo_reserve(h2e_fifo *fifo, size_t n);
void h2e_fifo_commit(h2e_fifo *fifo, size_t n);

/* Octets that could still be queued now. */
static inline size_t h2e_fifo_room(const h2e_fifo *fifo) {
  if (fifo->staged == fifo->head)
    return fifo->cap - (fifo->tail - fifo->head);
  return fifo->cap - fifo->tail;
}

/* Queued octets not yet staged; h2e_fifo_stage marks them all staged
 * and returns where they start. */
static inline size_t h2e_fifo_unstaged(const h2e_fifo *fifo) {
  return fifo->tail - fifo->staged;
}
const uint8_t *h2e_fifo_stage(h2e_fifo *fifo);

/* n staged octets were written. */
void h2e_fifo_written(h2e_fifo *fifo, size_t n);

/* Removes len unstaged octets at total position pos. */
void h2e_fifo_remove(h2e_fifo *fifo, uint64_t pos, size_t len);

/* Drops what is not staged yet. */
void h2e_fifo_drop_unstaged(h2e_fifo *fifo);

/* Positions in total octets. */
static inline uint64_t h2e_fifo_tail_pos(const h2e_fifo *fifo) {
  return fifo->base + fifo->tail;
}
static inline uint64_t h2e_fifo_staged_pos(const h2e_fifo *fifo) {
  return fifo->base + fifo->staged;
}
static inline int h2e_fifo_empty(const h2e_fifo *fifo) {
  return fifo->head == fifo->tail;
}

#endif
