/* The loop shared by the epoll and kqueue adapters: listeners, the
 * connections it drives, their poller interest and timers. The poller
 * itself (epoll.c, kqueue.c) only registers fds and waits. */
#include "buffer_cache.h"
#include "io.h"
#include "poller.h"
#include "timers.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAIT    64
#define ACCEPTS_PER_WAKEUP 64
/* Large buffers kept for the accepted connections (buffer_cache.h): a
 * busy connection with the default config takes about 280 KB of them. */
#define BUFFER_CACHE_OCTETS ((size_t)512 * 1024)

typedef struct listener {
  int fd;
  h2e_config config;
  h2e_loop_conn_options options;
  struct listener *next;
} listener;

/* A raw fd the application watches (h2e_loop_watch). Unwatched during a
 * round, it stays allocated (removed) until the round ends: events of the
 * same batch may still name it. */
typedef struct watch {
  int fd;
  unsigned interest; /* H2E_WANT_READ | H2E_WANT_WRITE */
  unsigned registered;
  h2e_loop_watch_fn callback;
  void *arg;
  uint8_t removed;
  struct watch *next;
} watch;

struct h2e_loop {
  const h2e_poller *poller;
  int poll_fd;
  h2e_loop_handlers handlers;
  h2e_allocator allocator;
  /* Accepted connections whose options name no allocator use the loop's
   * through the cache. */
  h2e_buffer_cache buffers;
  h2e_allocator conn_allocator;
  void *user_data;
  h2e_loop_conn *conns;     /* driven connections */
  h2e_loop_conn *graveyard; /* closed this round, freed at its end */
  listener *listeners;
  watch *watches; /* removed ones included, until the round ends */
  h2e_timers timers;
  size_t conn_count;
  unsigned depth; /* public calls under way: the graveyard waits */
  int stop;
};

/* Listener tags have bit 0 set, watch tags bit 1; connections are
 * aligned pointers. */
enum { TAG_LISTENER = 1u, TAG_WATCH = 2u, TAG_BITS = 3u };

static void *listener_tag(listener *l) {
  return (void *)((uintptr_t)l | TAG_LISTENER);
}

static listener *tag_listener(void *tag) {
  return (uintptr_t)tag & TAG_LISTENER
             ? (listener *)((uintptr_t)tag & ~(uintptr_t)TAG_BITS)
             : NULL;
}

static void *watch_tag(watch *w) {
  return (void *)((uintptr_t)w | TAG_WATCH);
}

static watch *tag_watch(void *tag) {
  return (uintptr_t)tag & TAG_WATCH
             ? (watch *)((uintptr_t)tag & ~(uintptr_t)TAG_BITS)
             : NULL;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *default_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}

static void default_free(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  (void)size;
  free(ptr);
}

h2e_loop *h2e_loop_create(const h2e_poller *poller, int poll_fd,
                          const h2e_loop_handlers *handlers,
                          const h2e_allocator *allocator, void *user_data) {
  h2e_allocator a = {default_alloc, default_free, NULL};
  if (allocator)
    a = *allocator;
  h2e_loop *loop = poll_fd < 0 ? NULL : a.alloc(a.ctx, sizeof *loop);
  if (loop == NULL) {
    if (poll_fd >= 0)
      close(poll_fd);
    return NULL;
  }
  memset(loop, 0, sizeof *loop);
  loop->poller = poller;
  loop->poll_fd = poll_fd;
  if (handlers)
    loop->handlers = *handlers;
  loop->allocator = a;
  loop->timers.allocator = &loop->allocator;
  h2e_buffer_cache_init(&loop->buffers, &loop->allocator, BUFFER_CACHE_OCTETS);
  loop->conn_allocator = h2e_buffer_cache_allocator(&loop->buffers);
  loop->user_data = user_data;
  return loop;
}

void *h2e_loop_get_user_data(const h2e_loop *loop) {
  return loop ? loop->user_data : NULL;
}

size_t h2e_loop_conn_count(const h2e_loop *loop) {
  return loop ? loop->conn_count : 0;
}

static void unlink_conn(h2e_loop *loop, h2e_loop_conn *lc) {
  if (lc->prev)
    lc->prev->next = lc->next;
  else
    loop->conns = lc->next;
  if (lc->next)
    lc->next->prev = lc->prev;
  loop->conn_count--;
}

static void bury_graveyard(h2e_loop *loop) {
  while (loop->graveyard) {
    h2e_loop_conn *lc = loop->graveyard;
    loop->graveyard = lc->grave_next;
    h2e_loop_conn_free(lc);
  }
  for (watch **p = &loop->watches; *p;) {
    watch *w = *p;
    if (!w->removed) {
      p = &w->next;
      continue;
    }
    *p = w->next;
    loop->allocator.free(loop->allocator.ctx, w, sizeof *w);
  }
}

static size_t live_watches(const h2e_loop *loop) {
  size_t count = 0;
  for (const watch *w = loop->watches; w; w = w->next)
    count += !w->removed;
  return count;
}

void h2e_loop_free(h2e_loop *loop) {
  if (loop == NULL)
    return;
  while (loop->conns) {
    h2e_loop_conn *lc = loop->conns;
    unlink_conn(loop, lc);
    h2e_loop_conn_free(lc);
  }
  for (watch *w = loop->watches; w; w = w->next)
    w->removed = 1; /* the fds stay the application's */
  bury_graveyard(loop);
  while (loop->listeners) {
    listener *l = loop->listeners;
    loop->listeners = l->next;
    close(l->fd);
    loop->allocator.free(loop->allocator.ctx, l, sizeof *l);
  }
  h2e_timers_free(&loop->timers);
  h2e_buffer_cache_free(&loop->buffers);
  close(loop->poll_fd);
  h2e_allocator a = loop->allocator;
  a.free(a.ctx, loop, sizeof *loop);
}

/* Connections closed during a call are freed when the outermost public
 * call returns: handlers and the rest of a batch may still hold them. */
static void enter(h2e_loop *loop) {
  loop->depth++;
}

static void leave(h2e_loop *loop) {
  if (--loop->depth == 0)
    bury_graveyard(loop);
}

static void close_conn(h2e_loop *loop, h2e_loop_conn *lc) {
  if (lc->closing)
    return;
  lc->closing = 1;
  loop->poller->set(loop->poll_fd, lc->fd, lc, lc->registered, 0);
  h2e_timers_remove(&loop->timers, lc);
  unlink_conn(loop, lc);
  if (loop->handlers.closed)
    loop->handlers.closed(loop, lc);
  lc->grave_next = loop->graveyard;
  loop->graveyard = lc;
}

void h2e_loop_close(h2e_loop *loop, h2e_loop_conn *lc) {
  if (loop == NULL || lc == NULL)
    return;
  enter(loop);
  close_conn(loop, lc);
  leave(loop);
}

static void fail(h2e_loop *loop, h2e_loop_conn *lc, int error) {
  lc->done = 1;
  lc->error = error;
  lc->sys_errno = errno;
  close_conn(loop, lc);
}

/* The poller waits for what lc wants, the timers for its deadline. */
static void update_interest(h2e_loop *loop, h2e_loop_conn *lc) {
  if (h2e_timers_update(&loop->timers, lc) != H2E_OK) {
    fail(loop, lc, H2E_ERR_NOMEM);
    return;
  }
  unsigned interest = h2e_loop_conn_interest(lc);
  unsigned to =
      H2E_POLL_REGISTERED | (interest & (H2E_WANT_READ | H2E_WANT_WRITE));
  if (to == lc->registered)
    return;
  if (loop->poller->set(loop->poll_fd, lc->fd, lc, lc->registered, to) < 0) {
    fail(loop, lc, H2E_LOOP_ERR_IO);
    return;
  }
  lc->registered = to;
}

static void drop_events(h2e_loop_conn *lc) {
  h2e_event ev;
  while (h2e_conn_next_event(lc->engine, &ev))
    ;
}

/* io until it has nothing more, with the application pulling events in
 * between; then the poller waits for what the connection wants. */
static void drive(h2e_loop *loop, h2e_loop_conn *lc, unsigned ready) {
  int rc = H2E_LOOP_IDLE;
  uint64_t now = now_ms();
  while (!lc->closing &&
         (rc = h2e_loop_conn_io(lc, ready, now)) == H2E_LOOP_EVENTS) {
    if (loop->handlers.ready)
      loop->handlers.ready(loop, lc);
    else
      drop_events(lc); /* nobody listens; the read buffer must be free */
    ready = 0;
  }
  if (lc->closing)
    return;
  if (rc == H2E_LOOP_DONE)
    close_conn(loop, lc);
  else
    update_interest(loop, lc);
}

void h2e_loop_drive(h2e_loop *loop, h2e_loop_conn *lc) {
  if (loop == NULL || lc == NULL)
    return;
  enter(loop);
  drive(loop, lc, 0);
  leave(loop);
}

int h2e_loop_add(h2e_loop *loop, h2e_loop_conn *lc) {
  if (loop == NULL || lc == NULL)
    return H2E_ERR_INVALID_ARG;
  lc->prev = NULL;
  lc->next = loop->conns;
  if (loop->conns)
    loop->conns->prev = lc;
  loop->conns = lc;
  loop->conn_count++;
  enter(loop);
  drive(loop, lc, 0);
  leave(loop);
  return H2E_OK;
}

int h2e_loop_add_listener(h2e_loop *loop, int listen_fd,
                          const h2e_loop_conn_options *options) {
  if (loop == NULL || listen_fd < 0 || options == NULL ||
      options->config == NULL)
    return H2E_ERR_INVALID_ARG;
  listener *l = loop->allocator.alloc(loop->allocator.ctx, sizeof *l);
  if (l == NULL)
    return H2E_ERR_NOMEM;
  l->fd = listen_fd;
  l->config = *options->config;
  l->options = *options;
  l->options.config = &l->config;
  if (l->options.allocator == NULL)
    l->options.allocator = &loop->conn_allocator;
  if (loop->poller->set(loop->poll_fd, listen_fd, listener_tag(l), 0,
                        H2E_POLL_REGISTERED | H2E_WANT_READ) < 0) {
    loop->allocator.free(loop->allocator.ctx, l, sizeof *l);
    return H2E_LOOP_ERR_IO;
  }
  l->next = loop->listeners;
  loop->listeners = l;
  return H2E_OK;
}

int h2e_loop_remove_listener(h2e_loop *loop, int listen_fd) {
  for (listener **p = loop ? &loop->listeners : NULL; p && *p;
       p = &(*p)->next) {
    listener *l = *p;
    if (l->fd != listen_fd)
      continue;
    loop->poller->set(loop->poll_fd, l->fd, listener_tag(l),
                      H2E_POLL_REGISTERED | H2E_WANT_READ, 0);
    *p = l->next;
    close(l->fd);
    loop->allocator.free(loop->allocator.ctx, l, sizeof *l);
    return H2E_OK;
  }
  return H2E_ERR_INVALID_ARG;
}

static watch *find_watch(h2e_loop *loop, int fd) {
  for (watch *w = loop->watches; w; w = w->next)
    if (w->fd == fd && !w->removed)
      return w;
  return NULL;
}

/* The poller holds the fd only while something is wanted: with epoll an
 * fd registered for nothing would still report hang-ups, at every wait. */
static int watch_apply(h2e_loop *loop, watch *w, unsigned interest) {
  unsigned to = interest ? H2E_POLL_REGISTERED | interest : 0;
  if (to != w->registered &&
      loop->poller->set(loop->poll_fd, w->fd, watch_tag(w), w->registered, to) <
          0)
    return H2E_LOOP_ERR_IO;
  w->registered = to;
  w->interest = interest;
  return H2E_OK;
}

int h2e_loop_watch(h2e_loop *loop, int fd, unsigned interest,
                   h2e_loop_watch_fn callback, void *arg) {
  interest &= H2E_WANT_READ | H2E_WANT_WRITE;
  if (loop == NULL || fd < 0 || callback == NULL)
    return H2E_ERR_INVALID_ARG;
  watch *w = find_watch(loop, fd);
  if (w == NULL) {
    w = loop->allocator.alloc(loop->allocator.ctx, sizeof *w);
    if (w == NULL)
      return H2E_ERR_NOMEM;
    memset(w, 0, sizeof *w);
    w->fd = fd;
    if (watch_apply(loop, w, interest) != H2E_OK) {
      loop->allocator.free(loop->allocator.ctx, w, sizeof *w);
      return H2E_LOOP_ERR_IO;
    }
    w->next = loop->watches;
    loop->watches = w;
  } else if (watch_apply(loop, w, interest) != H2E_OK) {
    return H2E_LOOP_ERR_IO;
  }
  w->callback = callback;
  w->arg = arg;
  return H2E_OK;
}

int h2e_loop_unwatch(h2e_loop *loop, int fd) {
  watch *w = loop ? find_watch(loop, fd) : NULL;
  if (w == NULL)
    return H2E_ERR_INVALID_ARG;
  watch_apply(loop, w, 0);
  w->removed = 1;
  if (loop->depth == 0)
    bury_graveyard(loop);
  return H2E_OK;
}

static void accept_some(h2e_loop *loop, listener *l) {
  for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
    int fd = accept(l->fd, NULL, NULL);
    if (fd < 0)
      return; /* EAGAIN, or a connection that died in the backlog */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    h2e_loop_conn *lc = h2e_loop_conn_new(&l->options, fd, now_ms());
    if (lc == NULL) {
      close(fd);
      continue;
    }
    if (loop->handlers.accepted)
      loop->handlers.accepted(loop, lc);
    h2e_loop_add(loop, lc);
  }
}

/* The wait ends at the earliest connection deadline. */
static int wait_timeout(const h2e_loop *loop, int timeout_ms) {
  const h2e_loop_conn *first = h2e_timers_first(&loop->timers);
  if (first == NULL)
    return timeout_ms;
  uint64_t now = now_ms(), earliest = first->timer_deadline;
  uint64_t wait = earliest > now ? earliest - now : 0;
  if (wait > INT32_MAX)
    wait = INT32_MAX;
  if (timeout_ms >= 0 && (uint64_t)timeout_ms < wait)
    return timeout_ms;
  return (int)wait;
}

/* Drives the connections whose deadline passed (each at most once). */
static int run_timers(h2e_loop *loop) {
  int driven = 0;
  uint64_t now = now_ms();
  h2e_loop_conn *lc;
  for (size_t budget = loop->timers.count;
       budget > 0 && (lc = h2e_timers_first(&loop->timers)) != NULL &&
       lc->timer_deadline <= now;
       budget--) {
    drive(loop, lc, 0);
    driven++;
  }
  return driven;
}

int h2e_loop_run_once(h2e_loop *loop, int timeout_ms) {
  if (loop == NULL)
    return H2E_ERR_INVALID_ARG;
  h2e_poll_event events[EVENTS_PER_WAIT];
  enter(loop);
  int count = loop->poller->wait(loop->poll_fd, events, EVENTS_PER_WAIT,
                                 wait_timeout(loop, timeout_ms));
  if (count < 0) {
    leave(loop);
    return errno == EINTR ? 0 : H2E_LOOP_ERR_IO;
  }
  for (int i = 0; i < count; i++) {
    listener *l = tag_listener(events[i].tag);
    watch *w = tag_watch(events[i].tag);
    h2e_loop_conn *lc = events[i].tag;
    if (l)
      accept_some(loop, l);
    else if (w) {
      /* Hang-ups and errors are reported as the readiness asked for. */
      unsigned ready = events[i].ready & w->interest;
      if (!w->removed && ready)
        w->callback(loop, w->fd, ready, w->arg);
    } else if (!lc->closing)
      drive(loop, lc, events[i].ready);
  }
  count += run_timers(loop);
  leave(loop);
  return count;
}

int h2e_loop_run(h2e_loop *loop) {
  if (loop == NULL)
    return H2E_ERR_INVALID_ARG;
  loop->stop = 0;
  while (!loop->stop &&
         (loop->conns || loop->listeners || live_watches(loop) > 0)) {
    int rc = h2e_loop_run_once(loop, -1);
    if (rc < 0)
      return rc;
  }
  return H2E_OK;
}

void h2e_loop_stop(h2e_loop *loop) {
  if (loop)
    loop->stop = 1;
}
