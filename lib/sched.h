/* The outbound DATA scheduler: which stream sends its next DATA frame,
 * by RFC 9218 priority (§4, §10).
 *
 * Policy. A lower urgency goes first, always. Within one urgency:
 *   - non-incremental streams go one at a time in stream-id order: the
 *     lowest id sends frame after frame until it is done or blocked;
 *   - incremental streams share round robin, one frame each in turn;
 *   - non-incremental streams go before incremental ones (RFC 9218 §10
 *     leaves the mix open; a non-incremental response is of no use until
 *     it is whole, an incremental one is of use piece by piece).
 *
 * Cost. Eight levels, each a min-heap by stream id (a pairing heap: the
 * node holds its links, nothing is allocated) for the non-incremental
 * streams and a ring for the incremental ones, plus a bit mask of the
 * levels in use. Push is O(1); pop and remove are O(log n) amortized; a
 * priority change is a remove and a push. A node lives in the stream it
 * schedules. */
#ifndef H2E_SCHED_H
#define H2E_SCHED_H

#include "h2e_priority.h"
#include "list.h"

typedef enum h2e_sched_place {
  H2E_SCHED_IDLE = 0,   /* not queued */
  H2E_SCHED_SEQUENTIAL, /* in its level's heap */
  H2E_SCHED_ROUND,      /* in its level's ring */
  H2E_SCHED_DEFERRED    /* popped, waiting for h2e_sched_restore */
} h2e_sched_place;

typedef struct h2e_sched_node {
  h2e_link link;                /* ring or deferred list */
  struct h2e_sched_node *child; /* heap: first child */
  struct h2e_sched_node *next;  /* heap: next sibling */
  struct h2e_sched_node *prev;  /* heap: previous sibling, or the parent */
  uint32_t id;                  /* stream id: the heap order */
  uint8_t urgency;
  uint8_t incremental;
  uint8_t place; /* h2e_sched_place */
} h2e_sched_node;

typedef struct h2e_sched {
  h2e_sched_node *sequential[H2E_URGENCY_LEVELS]; /* heap roots */
  h2e_link round[H2E_URGENCY_LEVELS];
  h2e_link deferred;
  uint8_t levels; /* bit u: urgency u has a queued node */
} h2e_sched;

void h2e_sched_init(h2e_sched *sched);
/* A stream's node: not queued, default priority (RFC 9218 §4.1, §4.2). */
void h2e_sched_node_init(h2e_sched_node *node, uint32_t id);
/* The stream has DATA to send and window to send it: queue it. Queuing a
 * queued (or deferred) node changes nothing. */
void h2e_sched_push(h2e_sched *sched, h2e_sched_node *node);
/* The stream has nothing to send any more, or is gone. */
void h2e_sched_remove(h2e_sched *sched, h2e_sched_node *node);
/* The stream whose turn it is, taken off the queue (push it back to give
 * it another turn later), or NULL. */
h2e_sched_node *h2e_sched_pop(h2e_sched *sched);
/* A popped stream that cannot send yet waits aside, so that the others
 * get their turn; h2e_sched_restore queues them again. */
void h2e_sched_defer(h2e_sched *sched, h2e_sched_node *node);
void h2e_sched_restore(h2e_sched *sched);
/* A new priority; a queued node moves to its new place. */
void h2e_sched_set_priority(h2e_sched *sched, h2e_sched_node *node,
                            const h2e_priority *priority);
int h2e_sched_empty(const h2e_sched *sched);
int h2e_sched_queued(const h2e_sched_node *node);

#endif
