/* The loop on BSD and macOS kqueue: one read and one write filter per fd,
 * added and deleted as the connection's interest changes. */
#include "poller.h"

#include <stddef.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int kqueue_set(int poll_fd, int fd, void *tag, unsigned from,
                      unsigned to) {
  struct kevent changes[2];
  int count = 0;
  static const struct {
    unsigned bit;
    short filter;
  } filters[] = {{H2E_WANT_READ, EVFILT_READ}, {H2E_WANT_WRITE, EVFILT_WRITE}};
  if (!(from & H2E_POLL_REGISTERED))
    from = 0;
  if (!(to & H2E_POLL_REGISTERED))
    to = 0;
  for (size_t i = 0; i < 2; i++) {
    unsigned bit = filters[i].bit;
    if ((from & bit) == (to & bit))
      continue;
    unsigned short flags = (to & bit) ? EV_ADD : EV_DELETE;
    EV_SET(&changes[count], (uintptr_t)fd, filters[i].filter, flags, 0, 0, tag);
    count++;
  }
  if (count == 0)
    return 0;
  return kevent(poll_fd, changes, count, NULL, 0, NULL);
}

static int kqueue_wait(int poll_fd, h2e_poll_event *events, int max,
                       int timeout_ms) {
  struct kevent ready[64];
  struct timespec timeout = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  if (max > 64)
    max = 64;
  int count =
      kevent(poll_fd, NULL, 0, ready, max, timeout_ms < 0 ? NULL : &timeout);
  for (int i = 0; i < count; i++) {
    events[i].tag = ready[i].udata;
    /* EV_EOF and EV_ERROR surface through the next read or write. */
    if (ready[i].flags & (EV_EOF | EV_ERROR))
      events[i].ready = H2E_WANT_READ | H2E_WANT_WRITE;
    else
      events[i].ready =
          ready[i].filter == EVFILT_READ ? H2E_WANT_READ : H2E_WANT_WRITE;
  }
  return count;
}

static const h2e_poller kqueue_poller = {kqueue_set, kqueue_wait};

h2e_loop *h2e_loop_new(const h2e_loop_handlers *handlers,
                       const h2e_allocator *allocator, void *user_data) {
  return h2e_loop_create(&kqueue_poller, kqueue(), handlers, allocator,
                         user_data);
}
