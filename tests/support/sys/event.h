/* A minimal <sys/event.h> with the declarations lib/loop/kqueue.c uses,
 * as FreeBSD and macOS declare them, so the kqueue adapter compiles (and
 * is checked) on Linux, where it cannot run. Declarations only. */
#ifndef H2E_TEST_SYS_EVENT_H
#define H2E_TEST_SYS_EVENT_H

#include <stdint.h>
#include <time.h>

struct kevent {
  uintptr_t ident; /* the fd */
  short filter;    /* EVFILT_* */
  unsigned short flags;
  unsigned int fflags;
  intptr_t data;
  void *udata;
};

#define EVFILT_READ  (-1)
#define EVFILT_WRITE (-2)

#define EV_ADD     0x0001
#define EV_DELETE  0x0002
#define EV_ENABLE  0x0004
#define EV_DISABLE 0x0008
#define EV_ERROR   0x4000
#define EV_EOF     0x8000

#define EV_SET(kevp, a, b, c, d, e, f)                                         \
  do {                                                                         \
    struct kevent *kev_ = (kevp);                                              \
    kev_->ident = (a);                                                         \
    kev_->filter = (b);                                                        \
    kev_->flags = (c);                                                         \
    kev_->fflags = (d);                                                        \
    kev_->data = (e);                                                          \
    kev_->udata = (f);                                                         \
  } while (0)

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges,
           struct kevent *eventlist, int nevents,
           const struct timespec *timeout);

#endif /* H2E_TEST_SYS_EVENT_H */
