/* Internal: the loop's connections ordered by deadline (a binary min-heap
 * keyed by the deadline each had after it was last driven). */
#ifndef H2E_LOOP_TIMERS_H
#define H2E_LOOP_TIMERS_H

#include "io.h"

typedef struct h2e_timers {
  h2e_loop_conn **heap;
  size_t count, cap;
  h2e_allocator *allocator;
} h2e_timers;

/* Files lc under its current deadline (UINT64_MAX: takes it out).
 * H2E_ERR_NOMEM when the heap cannot grow. */
int h2e_timers_update(h2e_timers *timers, h2e_loop_conn *lc);
void h2e_timers_remove(h2e_timers *timers, h2e_loop_conn *lc);
/* The connection due first, or NULL. */
h2e_loop_conn *h2e_timers_first(const h2e_timers *timers);
void h2e_timers_free(h2e_timers *timers);

#endif /* H2E_LOOP_TIMERS_H */
