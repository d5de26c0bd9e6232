/* Internal: what loop.c needs from a readiness API (epoll.c, kqueue.c). */
#ifndef H2E_LOOP_POLLER_H
#define H2E_LOOP_POLLER_H

#include "h2e_loop.h"

/* Interest bits: H2E_WANT_READ | H2E_WANT_WRITE, plus whether the poller
 * holds the fd at all. */
enum { H2E_POLL_REGISTERED = 0x100 };

typedef struct h2e_poll_event {
  void *tag;
  unsigned ready; /* H2E_WANT_READ | H2E_WANT_WRITE */
} h2e_poll_event;

typedef struct h2e_poller {
  /* Moves fd from interest `from` to `to` (either may lack
   * H2E_POLL_REGISTERED). 0 or -1 (errno). */
  int (*set)(int poll_fd, int fd, void *tag, unsigned from, unsigned to);
  /* Up to max ready fds within timeout_ms (-1: forever); count or -1. */
  int (*wait)(int poll_fd, h2e_poll_event *events, int max, int timeout_ms);
} h2e_poller;

/* loop.c: a loop over poll_fd (taken: closed by h2e_loop_free). */
h2e_loop *h2e_loop_create(const h2e_poller *poller, int poll_fd,
                          const h2e_loop_handlers *handlers,
                          const h2e_allocator *allocator, void *user_data);

#endif /* H2E_LOOP_POLLER_H */
