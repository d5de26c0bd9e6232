/* Proxy mode (--proxy): CONNECT tunnels, RFC 9113 §8.5. A CONNECT
 * request opens a TCP connection to its :authority; 200 once connected
 * (502 when the connect fails); then the stream's DATA and the socket's
 * bytes flow both ways, END_STREAM as a TCP half-close each way, and a
 * socket error later is RST_STREAM CONNECT_ERROR.
 *
 * Memory is one buffer per direction. Upstream: client DATA is written
 * to the socket at once and only what could not be written is kept; the
 * stream's receive window is given back (h2e_consume) only for octets
 * written, so a slow upstream stops the client through flow control and
 * the kept octets never exceed the window. Downstream: one read from the
 * socket is in flight as DATA at a time, the socket is read again once
 * the engine released it (H2E_EV_DATA_SENT). The socket is a raw fd
 * watched by the loop (h2e_loop_watch).
 *
 * The authority is resolved with getaddrinfo, which blocks this loop
 * while it runs: fine for a demo server and for numeric addresses. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DOWN_BUFFER 16384 /* one DATA frame at the default frame size */

struct serve_tunnel {
  int fd;      /* -1 once closed */
  uint8_t *up; /* client DATA not yet written upstream */
  size_t up_len, up_cap;
  uint8_t down[DOWN_BUFFER]; /* upstream bytes submitted as DATA */
  uint8_t connecting;
  uint8_t down_in_flight; /* down is with the engine until DATA_SENT */
  uint8_t client_eof;     /* END_STREAM came: half-close upstream */
  uint8_t up_shut;        /* ... done (shutdown SHUT_WR) */
  uint8_t upstream_eof;   /* the socket's EOF went out as END_STREAM */
};

static h2e_conn *engine_of(const serve_stream *s) {
  return h2e_loop_conn_engine(s->conn->lc);
}

static h2e_loop *loop_of(const serve_stream *s) {
  return s->conn->worker->loop;
}

/* A non-blocking connect to host:port; -1 when it cannot start. */
static int connect_authority(const char *authority) {
  char host[256];
  const char *colon = strrchr(authority, ':');
  if (colon == NULL || colon == authority ||
      (size_t)(colon - authority) >= sizeof host)
    return -1; /* RFC 9113 §8.5: :authority is host:port */
  size_t len = (size_t)(colon - authority);
  memcpy(host, authority, len);
  host[len] = '\0';
  if (host[0] == '[' && host[len - 1] == ']') {
    memmove(host, host + 1, len - 2);
    host[len - 2] = '\0';
  }
  struct addrinfo hints, *res;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
    return -1;
  int fd =
      socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

static void tunnel_close_fd(serve_stream *s) {
  serve_tunnel *t = s->tunnel;
  if (t->fd < 0)
    return;
  h2e_loop_unwatch(loop_of(s), t->fd);
  close(t->fd);
  t->fd = -1;
}

/* The record may go once the socket is closed and no DATA is in flight. */
static void tunnel_settle(serve_stream *s) {
  if (s->tunnel->fd < 0 && !s->tunnel->down_in_flight)
    s->body_released = 1;
}

/* Our own RST_STREAM raises no event: the stream is over here. */
static void tunnel_fail(serve_stream *s, uint32_t code) {
  tunnel_close_fd(s);
  h2e_submit_rst_stream(engine_of(s), s->id, code);
  s->reset = 1;
  s->stream_done = 1;
}

static void respond_status(serve_stream *s, const char *status, int end) {
  h2e_field field = {(const uint8_t *)":status", (const uint8_t *)status, 7, 3,
                     0};
  s->status = (uint16_t)atoi(status);
  if (h2e_submit_headers(engine_of(s), s->id, &field, 1,
                         end ? H2E_END_STREAM : 0) != H2E_OK)
    tunnel_fail(s, H2E_INTERNAL_ERROR);
}

static void tunnel_io(h2e_loop *loop, int fd, unsigned ready, void *arg);

/* What the socket waits for: the connect; room for kept client octets;
 * input, while no DATA is in flight and the upstream has not ended. */
static void tunnel_watch(serve_stream *s) {
  serve_tunnel *t = s->tunnel;
  if (t->fd < 0)
    return;
  unsigned interest = 0;
  if (t->connecting || t->up_len > 0)
    interest |= H2E_WANT_WRITE;
  if (!t->connecting && !t->down_in_flight && !t->upstream_eof)
    interest |= H2E_WANT_READ;
  if (h2e_loop_watch(loop_of(s), t->fd, interest, tunnel_io, s) != H2E_OK)
    tunnel_fail(s, H2E_CONNECT_ERROR);
}

/* Writes kept client octets upstream, crediting the window for each. */
static int flush_up(serve_stream *s) {
  serve_tunnel *t = s->tunnel;
  while (t->up_len > 0) {
    ssize_t n = write(t->fd, t->up, t->up_len);
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    memmove(t->up, t->up + n, t->up_len - (size_t)n);
    t->up_len -= (size_t)n;
    h2e_consume(engine_of(s), s->id, (size_t)n);
  }
  if (t->client_eof && !t->up_shut) {
    shutdown(t->fd, SHUT_WR); /* END_STREAM is a TCP FIN (§8.5) */
    t->up_shut = 1;
  }
  return 0;
}

/* One read from the socket, submitted as DATA (or END_STREAM at EOF). */
static int read_down(serve_stream *s) {
  serve_tunnel *t = s->tunnel;
  ssize_t n = read(t->fd, t->down, sizeof t->down);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  if (n == 0)
    t->upstream_eof = 1;
  if (h2e_submit_data(engine_of(s), s->id, t->down, (size_t)n,
                      n == 0 ? H2E_END_STREAM : 0,
                      (uint64_t)(uintptr_t)s) != H2E_OK)
    return -1;
  t->down_in_flight = 1;
  s->body_len += (uint64_t)n;
  return 0;
}

static void connected(serve_stream *s) {
  serve_tunnel *t = s->tunnel;
  int error = 0;
  socklen_t len = sizeof error;
  t->connecting = 0;
  if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 ||
      error != 0) {
    tunnel_close_fd(s);
    respond_status(s, "502", 1);
    return;
  }
  respond_status(s, "200", 0);
  if (flush_up(s) != 0) /* client octets that came early */
    tunnel_fail(s, H2E_CONNECT_ERROR);
}

static void tunnel_io(h2e_loop *loop, int fd, unsigned ready, void *arg) {
  serve_stream *s = arg;
  serve_tunnel *t = s->tunnel;
  h2e_loop_conn *lc = s->conn->lc;
  (void)fd;
  if (t->connecting)
    connected(s);
  else if (((ready & H2E_WANT_WRITE) && flush_up(s) != 0) ||
           ((ready & H2E_WANT_READ) && read_down(s) != 0))
    tunnel_fail(s, H2E_CONNECT_ERROR);
  tunnel_watch(s);
  tunnel_settle(s);
  serve_stream_settle(s); /* may free s */
  h2e_loop_drive(loop, lc);
}

void serve_tunnel_open(serve_stream *s) {
  serve_tunnel *t = calloc(1, sizeof *t);
  if (t == NULL) {
    h2e_submit_rst_stream(engine_of(s), s->id, H2E_INTERNAL_ERROR);
    s->body_released = 1;
    return;
  }
  s->tunnel = t;
  /* Kept client octets never exceed the stream window we announce (the
   * default config's, as main.c sets it up). */
  h2e_config config;
  h2e_config_init(&config, H2E_SERVER);
  t->up_cap = config.initial_window_size;
  t->up = malloc(t->up_cap);
  t->fd = t->up ? connect_authority(s->authority) : -1;
  if (t->fd < 0) {
    respond_status(s, "502", 1);
    tunnel_settle(s);
    return;
  }
  t->connecting = 1;
  tunnel_watch(s);
}

void serve_tunnel_data(serve_stream *s, const h2e_event *ev) {
  serve_tunnel *t = s->tunnel;
  if (t->fd < 0 || t->up_len + ev->u.data.len > t->up_cap) {
    /* Over (or beyond the window we gave): dropped, the window given
     * back. */
    if (t->fd >= 0)
      tunnel_fail(s, H2E_FLOW_CONTROL_ERROR);
    h2e_consume(engine_of(s), s->id, ev->u.data.len);
    tunnel_settle(s);
    return;
  }
  const uint8_t *data = ev->u.data.data;
  size_t len = ev->u.data.len;
  if (!t->connecting && t->up_len == 0 && len > 0) { /* straight through */
    ssize_t n = write(t->fd, data, len);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      tunnel_fail(s, H2E_CONNECT_ERROR);
      h2e_consume(engine_of(s), s->id, len);
      return;
    }
    if (n > 0) {
      h2e_consume(engine_of(s), s->id, (size_t)n);
      data += n;
      len -= (size_t)n;
    }
  }
  memcpy(t->up + t->up_len, data, len);
  t->up_len += len;
  t->client_eof |= ev->u.data.end_stream;
  if (!t->connecting && flush_up(s) != 0)
    tunnel_fail(s, H2E_CONNECT_ERROR);
  tunnel_watch(s);
  tunnel_settle(s);
}

void serve_tunnel_sent(serve_stream *s) {
  s->tunnel->down_in_flight = 0;
  tunnel_watch(s);
  tunnel_settle(s);
}

void serve_tunnel_end(serve_stream *s) {
  tunnel_close_fd(s);
  tunnel_settle(s);
}

void serve_tunnel_free(serve_stream *s) {
  if (s->tunnel == NULL)
    return;
  tunnel_close_fd(s);
  free(s->tunnel->up);
  free(s->tunnel);
  s->tunnel = NULL;
}
