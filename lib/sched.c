/* Round-robin DATA scheduler (see sched.h). */
#include "sched.h"

void h2e_sched_init(h2e_sched *sched) {
  h2e_list_init(&sched->ready);
}

void h2e_sched_push(h2e_sched *sched, h2e_sched_node *node) {
  if (!h2e_link_linked(&node->link))
    h2e_list_push_back(&sched->ready, &node->link);
}

void h2e_sched_remove(h2e_sched_node *node) {
  h2e_list_remove(&node->link);
}

h2e_sched_node *h2e_sched_pop(h2e_sched *sched) {
  h2e_link *link = h2e_list_pop_front(&sched->ready);
  return link ? H2E_CONTAINER_OF(link, h2e_sched_node, link) : NULL;
}

int h2e_sched_empty(const h2e_sched *sched) {
  return h2e_list_empty(&sched->ready);
}

int h2e_sched_queued(const h2e_sched_node *node) {
  return h2e_link_linked(&node->link);
}
