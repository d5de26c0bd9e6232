/* Intrusive doubly linked lists: a node lives inside the struct it links,
 * so linking never allocates. An unlinked node has NULL pointers. */
#ifndef H2E_LIST_H
#define H2E_LIST_H

#include <stddef.h>

typedef struct h2e_link {
  struct h2e_link *prev;
  struct h2e_link *next;
} h2e_link;

/* The struct that holds `ptr` as its `member`. */
#define H2E_CONTAINER_OF(ptr, type, member)                                    \
  ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline void h2e_list_init(h2e_link *head) {
  head->prev = head;
  head->next = head;
}

static inline int h2e_list_empty(const h2e_link *head) {
  return head->next == head;
}

static inline int h2e_link_linked(const h2e_link *node) {
  return node->next != NULL;
}

static inline void h2e_list_push_back(h2e_link *head, h2e_link *node) {
  node->prev = head->prev;
  node->next = head;
  head->prev->next = node;
  head->prev = node;
}

static inline void h2e_list_push_front(h2e_link *head, h2e_link *node) {
  node->prev = head;
  node->next = head->next;
  head->next->prev = node;
  head->next = node;
}

/* Unlinks node if it is linked. */
static inline void h2e_list_remove(h2e_link *node) {
  if (!h2e_link_linked(node))
    return;
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->prev = NULL;
  node->next = NULL;
}

/* The first node, unlinked, or NULL when the list is empty. */
static inline h2e_link *h2e_list_pop_front(h2e_link *head) {
  if (h2e_list_empty(head))
    return NULL;
  h2e_link *node = head->next;
  h2e_list_remove(node);
  return node;
}

#endif
