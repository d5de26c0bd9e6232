/* The loop on Linux epoll (level-triggered: a connection the engine holds
 * back simply loses EPOLLIN until it wants input again). */
#include "poller.h"

#include <sys/epoll.h>

static uint32_t epoll_bits(unsigned interest) {
  return (interest & H2E_WANT_READ ? (uint32_t)EPOLLIN : 0u) |
         (interest & H2E_WANT_WRITE ? (uint32_t)EPOLLOUT : 0u);
}

static int epoll_set(int poll_fd, int fd, void *tag, unsigned from,
                     unsigned to) {
  struct epoll_event ev = {.events = epoll_bits(to), .data.ptr = tag};
  if (!(to & H2E_POLL_REGISTERED))
    return from & H2E_POLL_REGISTERED
               ? epoll_ctl(poll_fd, EPOLL_CTL_DEL, fd, &ev)
               : 0;
  int op = from & H2E_POLL_REGISTERED ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  return epoll_ctl(poll_fd, op, fd, &ev);
}

static int epoll_wait_ready(int poll_fd, h2e_poll_event *events, int max,
                            int timeout_ms) {
  struct epoll_event ready[64];
  if (max > 64)
    max = 64;
  int count = epoll_wait(poll_fd, ready, max, timeout_ms);
  for (int i = 0; i < count; i++) {
    uint32_t bits = ready[i].events;
    events[i].tag = ready[i].data.ptr;
    /* Errors and hang-ups surface through the next read or write. */
    if (bits & (EPOLLERR | EPOLLHUP))
      bits |= EPOLLIN | EPOLLOUT;
    events[i].ready = ((bits & EPOLLIN) ? H2E_WANT_READ : 0u) |
                      ((bits & EPOLLOUT) ? H2E_WANT_WRITE : 0u);
  }
  return count;
}

static const h2e_poller epoll_poller = {epoll_set, epoll_wait_ready};

h2e_loop *h2e_loop_new(const h2e_loop_handlers *handlers,
                       const h2e_allocator *allocator, void *user_data) {
  return h2e_loop_create(&epoll_poller, epoll_create1(EPOLL_CLOEXEC), handlers,
                         allocator, user_data);
}
