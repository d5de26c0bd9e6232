/* Internal: one driven connection, the transport hook (TLS is one more
 * transport), and what the loops (epoll.c, kqueue.c through loop.c) keep
 * inside it. */
#ifndef H2E_LOOP_IO_H
#define H2E_LOOP_IO_H

#include "h2e_loop.h"

#include <sys/types.h>

/* Transport results beside byte counts. */
enum { H2E_IO_AGAIN = -1, H2E_IO_ERROR = -2 };

/* A byte stream over the fd other than the plain socket. Without one,
 * io.c reads, writevs and sendfiles the fd itself. */
typedef struct h2e_loop_transport {
  /* 0 when done, H2E_IO_AGAIN (see want), H2E_IO_ERROR. */
  int (*handshake)(void *ctx);
  /* > 0 octets, 0 at the end of the stream, H2E_IO_AGAIN, H2E_IO_ERROR. */
  ptrdiff_t (*read)(void *ctx, uint8_t *buf, size_t len);
  ptrdiff_t (*write)(void *ctx, const uint8_t *buf, size_t len);
  /* The readiness the last AGAIN waits for (H2E_WANT_*). */
  unsigned (*want)(void *ctx);
  /* Octets read from the fd and held inside, readable without readiness. */
  int (*buffered)(void *ctx);
  const char *(*protocol)(void *ctx); /* negotiated ALPN, or NULL */
  const char *(*detail)(void *ctx);   /* why the last error, or NULL */
  void (*free)(void *ctx);
} h2e_loop_transport;

/* tls_openssl.c (or tls_none.c): the TLS transport for one connection. */
int h2e_loop_tls_open(struct ssl_ctx_st *ctx, int fd, h2e_role role,
                      const char *server_name, h2e_allocator *allocator,
                      const h2e_loop_transport **transport, void **tctx);

/* upgrade.c: the engine refused the input as HTTP/1.x; takes the request
 * head (more reads when it is not whole) and switches to an upgraded
 * engine, or queues a refusal. H2E_OK or an H2E_LOOP_ERR_* code. */
int h2e_loop_upgrade(h2e_loop_conn *lc, uint64_t now_ms, int *progress);

/* sendfile.c: out_fd <- in_fd[offset, offset+len); bytes or -1 (errno). */
ptrdiff_t h2e_loop_sendfile(int out_fd, int in_fd, uint64_t offset, size_t len);

struct h2e_loop_conn {
  int fd;
  h2e_conn *engine;
  h2e_allocator allocator;
  const h2e_loop_transport *transport;
  void *transport_ctx;
  /* The read buffer (in_cap octets, NULL while idle): [in_start, in_end)
   * is held-back input. */
  uint8_t *in;
  size_t in_cap, in_start, in_end;
  uint8_t *bounce; /* gathers output for a transport without writev */
  unsigned handshake_done : 1, write_blocked : 1, done : 1;
  uint64_t handshake_deadline;
  /* h2c Upgrade (upgrade.c): the server config to switch with (NULL: off),
   * an HTTP/1.1 head being read, and HTTP/1.1 octets that go out before
   * any HTTP/2 ones (101), or alone before closing (505, 400). */
  const h2e_config *upgrade_config;
  unsigned reading_head : 1, close_after_prefix : 1, protocol_known : 1;
  const char *prefix;
  size_t prefix_len, prefix_sent;
  int error, sys_errno;
  const char *protocol;
  void *user_data;
  void (*trace)(void *arg, int received, const uint8_t *data, size_t len);
  void *trace_arg;
  h2e_loop_conn_stats stats;
  /* Kept by loop.c. */
  struct h2e_loop_conn *prev, *next, *grave_next;
  unsigned registered;     /* H2E_POLL_* bits the poller holds */
  uint64_t timer_deadline; /* as filed in the loop's timers */
  size_t timer_slot;       /* index in the timer heap + 1; 0: not filed */
  uint8_t closing;
};

#endif /* H2E_LOOP_IO_H */
