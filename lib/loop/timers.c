/* The loop's timers: a binary min-heap of connections by deadline, so a
 * wait knows its timeout and the due connections are found without
 * walking every connection. */
#include "timers.h"

static void place(h2e_timers *timers, size_t i, h2e_loop_conn *lc) {
  timers->heap[i] = lc;
  lc->timer_slot = i + 1;
}

static void sift_up(h2e_timers *timers, size_t i) {
  h2e_loop_conn *lc = timers->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (timers->heap[parent]->timer_deadline <= lc->timer_deadline)
      break;
    place(timers, i, timers->heap[parent]);
    i = parent;
  }
  place(timers, i, lc);
}

static void sift_down(h2e_timers *timers, size_t i) {
  h2e_loop_conn *lc = timers->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= timers->count)
      break;
    if (child + 1 < timers->count && timers->heap[child + 1]->timer_deadline <
                                         timers->heap[child]->timer_deadline)
      child++;
    if (lc->timer_deadline <= timers->heap[child]->timer_deadline)
      break;
    place(timers, i, timers->heap[child]);
    i = child;
  }
  place(timers, i, lc);
}

static int grow(h2e_timers *timers) {
  size_t cap = timers->cap ? timers->cap * 2 : 64;
  h2e_allocator *a = timers->allocator;
  h2e_loop_conn **heap = a->alloc(a->ctx, cap * sizeof(h2e_loop_conn *));
  if (heap == NULL)
    return H2E_ERR_NOMEM;
  for (size_t i = 0; i < timers->count; i++)
    heap[i] = timers->heap[i];
  if (timers->heap)
    a->free(a->ctx, timers->heap, timers->cap * sizeof(h2e_loop_conn *));
  timers->heap = heap;
  timers->cap = cap;
  return H2E_OK;
}

void h2e_timers_remove(h2e_timers *timers, h2e_loop_conn *lc) {
  if (lc->timer_slot == 0)
    return;
  size_t i = lc->timer_slot - 1;
  lc->timer_slot = 0;
  h2e_loop_conn *last = timers->heap[--timers->count];
  if (i == timers->count)
    return;
  place(timers, i, last);
  sift_down(timers, i);
  sift_up(timers, last->timer_slot - 1);
}

int h2e_timers_update(h2e_timers *timers, h2e_loop_conn *lc) {
  uint64_t deadline = h2e_loop_conn_deadline(lc);
  if (deadline == UINT64_MAX) {
    h2e_timers_remove(timers, lc);
    return H2E_OK;
  }
  if (lc->timer_slot == 0) {
    if (timers->count == timers->cap && grow(timers) != H2E_OK)
      return H2E_ERR_NOMEM;
    lc->timer_deadline = deadline;
    place(timers, timers->count++, lc);
    sift_up(timers, timers->count - 1);
    return H2E_OK;
  }
  lc->timer_deadline = deadline;
  sift_down(timers, lc->timer_slot - 1);
  sift_up(timers, lc->timer_slot - 1);
  return H2E_OK;
}

h2e_loop_conn *h2e_timers_first(const h2e_timers *timers) {
  return timers->count ? timers->heap[0] : NULL;
}

void h2e_timers_free(h2e_timers *timers) {
  if (timers->heap)
    timers->allocator->free(timers->allocator->ctx, timers->heap,
                            timers->cap * sizeof(h2e_loop_conn *));
  timers->heap = NULL;
  timers->count = timers->cap = 0;
}
