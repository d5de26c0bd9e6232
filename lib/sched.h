/* The outbound DATA scheduler: which stream sends its next DATA frame.
 * Round robin for now (every ready stream in turn, one frame each); RFC
 * 9218 urgency and incremental delivery will replace the inside of this
 * module, not its interface. A node lives in the stream it schedules. */
#ifndef H2E_SCHED_H
#define H2E_SCHED_H

#include "list.h"

typedef struct h2e_sched_node {
  h2e_link link;
} h2e_sched_node;

typedef struct h2e_sched {
  h2e_link ready;
} h2e_sched;

void h2e_sched_init(h2e_sched *sched);
/* The stream has DATA to send and window to send it: queue it (after the
 * others). Queuing a queued node changes nothing. */
void h2e_sched_push(h2e_sched *sched, h2e_sched_node *node);
/* The stream has nothing to send any more, or is gone. */
void h2e_sched_remove(h2e_sched_node *node);
/* The stream whose turn it is, taken off the queue (push it back to give
 * it another turn later), or NULL. */
h2e_sched_node *h2e_sched_pop(h2e_sched *sched);
int h2e_sched_empty(const h2e_sched *sched);
int h2e_sched_queued(const h2e_sched_node *node);

#endif
