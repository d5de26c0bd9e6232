/* RFC 9218 DATA scheduler (see sched.h for the policy). */
#include "sched.h"

/* ---- pairing heap by stream id ------------------------------------------ */

static void unlink_heap(h2e_sched_node *node) {
  node->prev = NULL;
  node->next = NULL;
}

/* Two heap roots become one: the higher id goes under the lower. */
static h2e_sched_node *meld(h2e_sched_node *a, h2e_sched_node *b) {
  if (b->id < a->id) {
    h2e_sched_node *t = a;
    a = b;
    b = t;
  }
  b->prev = a;
  b->next = a->child;
  if (a->child)
    a->child->prev = b;
  a->child = b;
  return a;
}

/* The two-pass pairing of a list of siblings into one heap: meld them in
 * pairs left to right, then meld the pairs right to left. */
static h2e_sched_node *merge_pairs(h2e_sched_node *first) {
  h2e_sched_node *pairs = NULL; /* melded pairs, the last one first */
  while (first) {
    h2e_sched_node *a = first;
    h2e_sched_node *b = a->next;
    first = b ? b->next : NULL;
    unlink_heap(a);
    if (b) {
      unlink_heap(b);
      a = meld(a, b);
    }
    a->next = pairs;
    pairs = a;
  }
  h2e_sched_node *root = NULL;
  while (pairs) {
    h2e_sched_node *rest = pairs->next;
    pairs->next = NULL;
    root = root ? meld(root, pairs) : pairs;
    pairs = rest;
  }
  return root;
}

static void heap_remove(h2e_sched_node **root, h2e_sched_node *node) {
  h2e_sched_node *children = merge_pairs(node->child);
  node->child = NULL;
  if (node == *root) {
    *root = children;
    return;
  }
  if (node->prev->child == node)
    node->prev->child = node->next;
  else
    node->prev->next = node->next;
  if (node->next)
    node->next->prev = node->prev;
  unlink_heap(node);
  if (children)
    *root = meld(*root, children);
}

/* ---- levels ------------------------------------------------------------- */

static void update_level(h2e_sched *sched, uint8_t urgency) {
  uint8_t bit = (uint8_t)(1u << urgency);
  if (sched->sequential[urgency] || !h2e_list_empty(&sched->round[urgency]))
    sched->levels |= bit;
  else
    sched->levels &= (uint8_t)~bit;
}

void h2e_sched_init(h2e_sched *sched) {
  for (int u = 0; u < H2E_URGENCY_LEVELS; u++) {
    sched->sequential[u] = NULL;
    h2e_list_init(&sched->round[u]);
  }
  h2e_list_init(&sched->deferred);
  sched->levels = 0;
}

void h2e_sched_node_init(h2e_sched_node *node, uint32_t id) {
  node->link.prev = NULL;
  node->link.next = NULL;
  node->child = NULL;
  unlink_heap(node);
  node->id = id;
  node->urgency = H2E_URGENCY_DEFAULT;
  node->incremental = 0;
  node->place = H2E_SCHED_IDLE;
}

void h2e_sched_push(h2e_sched *sched, h2e_sched_node *node) {
  if (node->place != H2E_SCHED_IDLE)
    return;
  uint8_t u = node->urgency;
  if (node->incremental) {
    h2e_list_push_back(&sched->round[u], &node->link);
    node->place = H2E_SCHED_ROUND;
  } else {
    h2e_sched_node *root = sched->sequential[u];
    sched->sequential[u] = root ? meld(root, node) : node;
    node->place = H2E_SCHED_SEQUENTIAL;
  }
  sched->levels |= (uint8_t)(1u << u);
}

void h2e_sched_remove(h2e_sched *sched, h2e_sched_node *node) {
  switch (node->place) {
  case H2E_SCHED_SEQUENTIAL:
    heap_remove(&sched->sequential[node->urgency], node);
    break;
  case H2E_SCHED_ROUND:
  case H2E_SCHED_DEFERRED:
    h2e_list_remove(&node->link);
    break;
  default:
    return;
  }
  node->place = H2E_SCHED_IDLE;
  update_level(sched, node->urgency);
}

/* The most urgent level in use (levels is not 0). */
static uint8_t first_level(uint8_t levels) {
  uint8_t u = 0;
  while (!(levels & (1u << u)))
    u++;
  return u;
}

h2e_sched_node *h2e_sched_pop(h2e_sched *sched) {
  if (sched->levels == 0)
    return NULL;
  uint8_t u = first_level(sched->levels);
  h2e_sched_node *node = sched->sequential[u];
  if (node == NULL) /* non-incremental streams go first */
    node = H2E_CONTAINER_OF(sched->round[u].next, h2e_sched_node, link);
  h2e_sched_remove(sched, node);
  return node;
}

void h2e_sched_defer(h2e_sched *sched, h2e_sched_node *node) {
  h2e_sched_remove(sched, node);
  h2e_list_push_back(&sched->deferred, &node->link);
  node->place = H2E_SCHED_DEFERRED;
}

void h2e_sched_restore(h2e_sched *sched) {
  h2e_link *link;
  while ((link = h2e_list_pop_front(&sched->deferred)) != NULL) {
    h2e_sched_node *node = H2E_CONTAINER_OF(link, h2e_sched_node, link);
    node->place = H2E_SCHED_IDLE;
    h2e_sched_push(sched, node);
  }
}

void h2e_sched_set_priority(h2e_sched *sched, h2e_sched_node *node,
                            const h2e_priority *priority) {
  if (node->urgency == priority->urgency &&
      node->incremental == priority->incremental)
    return; /* a queued stream keeps its place */
  int requeue =
      node->place == H2E_SCHED_SEQUENTIAL || node->place == H2E_SCHED_ROUND;
  if (requeue)
    h2e_sched_remove(sched, node);
  node->urgency = priority->urgency;
  node->incremental = priority->incremental;
  if (requeue)
    h2e_sched_push(sched, node);
}

int h2e_sched_empty(const h2e_sched *sched) {
  return sched->levels == 0;
}

int h2e_sched_queued(const h2e_sched_node *node) {
  return node->place != H2E_SCHED_IDLE;
}
