/* Shared by the tests/test_loop_*.c programs: a small HTTP/2 server
 * application on the h2e_loop adapter (epoll here), and a client on the
 * user-loop adapter (h2e_loop_conn driven by poll(2) from the test), both
 * in one process over real loopback sockets.
 *
 * Server routes: /hello (a short body), /echo (the request body back),
 * /file (the file region set in srv_app.file_fd, sent with sendfile). */
#ifndef TEST_LOOP_HARNESS_H
#define TEST_LOOP_HARNESS_H

#include "h2e_loop.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HELLO_BODY  "hello from h2e"
#define MAX_STREAMS 64

static inline uint64_t test_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void buf_append(uint8_t **buf, size_t *len, size_t *cap,
                              const uint8_t *data, size_t n) {
  if (n == 0)
    return;
  if (*len + n > *cap) {
    *cap = (*len + n) * 2;
    *buf = realloc(*buf, *cap);
    assert_non_null(*buf);
  }
  memcpy(*buf + *len, data, n);
  *len += n;
}

static inline uint8_t *pattern_new(size_t len, unsigned seed) {
  uint8_t *p = malloc(len ? len : 1);
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)(i * 131 + seed + (i >> 10));
  return p;
}

#define FIELD(n, v)                                                            \
  {                                                                            \
    (const uint8_t *)(n), (const uint8_t *)(v), sizeof(n) - 1,                 \
        (uint32_t)strlen(v), 0                                                 \
  }

/* ---- server application ------------------------------------------------ */

typedef struct srv_stream {
  uint32_t id;
  char path[32];
  uint8_t *body;
  size_t len, cap;
} srv_stream;

typedef struct srv_app {
  srv_stream streams[MAX_STREAMS];
  int file_fd;
  uint64_t file_len;
  size_t accepted, closed, responses, data_sent;
  int last_error;
  const char *last_protocol;
  h2e_loop_conn *last_accepted;
  h2e_loop_conn_stats stats; /* of the last connection that had events */
} srv_app;

static inline srv_stream *srv_slot(srv_app *app, uint32_t id) {
  srv_stream *free_slot = NULL;
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (app->streams[i].id == id)
      return &app->streams[i];
    if (app->streams[i].id == 0 && free_slot == NULL)
      free_slot = &app->streams[i];
  }
  assert_non_null(free_slot);
  memset(free_slot, 0, sizeof *free_slot);
  free_slot->id = id;
  return free_slot;
}

static inline void srv_release(srv_app *app, uint32_t id) {
  for (int i = 0; i < MAX_STREAMS; i++) {
    if (app->streams[i].id == id) {
      free(app->streams[i].body);
      memset(&app->streams[i], 0, sizeof app->streams[i]);
    }
  }
}

static inline void srv_respond(srv_app *app, h2e_conn *c, srv_stream *s) {
  h2e_field status[] = {FIELD(":status", "200")};
  assert_int_equal(h2e_submit_headers(c, s->id, status, 1, 0), 0);
  int rc;
  if (strcmp(s->path, "/echo") == 0)
    rc = h2e_submit_data(c, s->id, s->body, s->len, H2E_END_STREAM, s->id);
  else if (strcmp(s->path, "/file") == 0)
    rc = h2e_submit_file(c, s->id, app->file_fd, 0, app->file_len,
                         H2E_END_STREAM, s->id);
  else
    rc = h2e_submit_data(c, s->id, HELLO_BODY, strlen(HELLO_BODY),
                         H2E_END_STREAM, s->id);
  assert_int_equal(rc, 0);
  app->responses++;
}

static inline void srv_headers(srv_app *app, h2e_conn *c, const h2e_event *ev) {
  srv_stream *s = srv_slot(app, ev->stream_id);
  for (size_t i = 0; i < ev->u.headers.count; i++) {
    const h2e_field *f = &ev->u.headers.fields[i];
    if (f->name_len == 5 && memcmp(f->name, ":path", 5) == 0 &&
        f->value_len < sizeof s->path)
      memcpy(s->path, f->value, f->value_len);
  }
  if (ev->u.headers.end_stream)
    srv_respond(app, c, s);
}

static inline void srv_ready(h2e_loop *loop, h2e_loop_conn *lc) {
  srv_app *app = h2e_loop_get_user_data(loop);
  h2e_conn *c = h2e_loop_conn_engine(lc);
  h2e_event ev;
  while (h2e_conn_next_event(c, &ev)) {
    srv_stream *s;
    switch (ev.type) {
    case H2E_EV_HEADERS:
      srv_headers(app, c, &ev);
      break;
    case H2E_EV_DATA:
      s = srv_slot(app, ev.stream_id);
      buf_append(&s->body, &s->len, &s->cap, ev.u.data.data, ev.u.data.len);
      h2e_consume(c, ev.stream_id, ev.u.data.len);
      if (ev.u.data.end_stream)
        srv_respond(app, c, s);
      break;
    case H2E_EV_DATA_SENT:
      app->data_sent++;
      break;
    case H2E_EV_STREAM_CLOSED:
    case H2E_EV_STREAM_RESET:
      srv_release(app, ev.stream_id);
      break;
    default:
      break;
    }
  }
  app->last_protocol = h2e_loop_conn_protocol(lc);
  h2e_loop_conn_get_stats(lc, &app->stats);
}

static inline void srv_accepted(h2e_loop *loop, h2e_loop_conn *lc) {
  srv_app *app = h2e_loop_get_user_data(loop);
  app->accepted++;
  app->last_accepted = lc;
}

static inline void srv_closed(h2e_loop *loop, h2e_loop_conn *lc) {
  srv_app *app = h2e_loop_get_user_data(loop);
  app->closed++;
  if (app->last_accepted == lc)
    app->last_accepted = NULL;
  app->last_error = h2e_loop_conn_error(lc);
  h2e_loop_conn_get_stats(lc, &app->stats);
  for (int i = 0; i < MAX_STREAMS; i++)
    srv_release(app, app->streams[i].id);
}

static const h2e_loop_handlers srv_handlers = {srv_accepted, srv_ready,
                                               srv_closed};

typedef struct server {
  srv_app app;
  h2e_config config;
  h2e_loop_conn_options options;
  h2e_loop *loop;
  uint16_t port;
} server;

/* A server on 127.0.0.1:port (0: a free one), driven by h2e_loop (epoll);
 * flags as h2e_loop_listen_tcp takes them. */
/* A server loop with no listener yet: its config may still change. */
static inline server *server_new(struct ssl_ctx_st *tls,
                                 const h2e_allocator *allocator) {
  signal(SIGPIPE, SIG_IGN);
  server *srv = calloc(1, sizeof *srv);
  srv->app.file_fd = -1;
  h2e_config_init(&srv->config, H2E_SERVER);
  srv->options.config = &srv->config;
  srv->options.allocator = allocator;
  srv->options.tls = tls;
  srv->loop = h2e_loop_new(&srv_handlers, allocator, &srv->app);
  assert_non_null(srv->loop);
  return srv;
}

static inline void server_listen(server *srv, uint16_t port, int flags) {
  int fd = h2e_loop_listen_tcp("127.0.0.1", port, flags, 16);
  assert_true(fd >= 0);
  srv->port = (uint16_t)h2e_loop_local_port(fd);
  assert_int_equal(h2e_loop_add_listener(srv->loop, fd, &srv->options), 0);
}

static inline server *server_start_on(struct ssl_ctx_st *tls,
                                      const h2e_allocator *allocator,
                                      uint16_t port, int flags) {
  server *srv = server_new(tls, allocator);
  server_listen(srv, port, flags);
  return srv;
}

static inline server *server_start(struct ssl_ctx_st *tls,
                                   const h2e_allocator *allocator) {
  return server_start_on(tls, allocator, 0, 0);
}

static inline void server_stop(server *srv) {
  h2e_loop_free(srv->loop);
  free(srv);
}

/* ---- client on the user-loop adapter ------------------------------------ */

typedef struct cli_stream {
  int32_t id;
  int status;
  int done;
  uint8_t *body;
  size_t len, cap;
} cli_stream;

typedef struct client {
  h2e_loop_conn *lc;
  h2e_config config;
  cli_stream streams[MAX_STREAMS];
  int count;
  int result; /* last h2e_loop_conn_io result */
} client;

static inline client *client_open(uint16_t port, struct ssl_ctx_st *tls,
                                  const char *server_name) {
  client *cl = calloc(1, sizeof *cl);
  h2e_config_init(&cl->config, H2E_CLIENT);
  h2e_loop_conn_options options = {
      .config = &cl->config, .tls = tls, .server_name = server_name};
  int fd = h2e_loop_connect_tcp("127.0.0.1", port);
  assert_true(fd >= 0);
  cl->lc = h2e_loop_conn_new(&options, fd, test_now_ms());
  assert_non_null(cl->lc);
  return cl;
}

static inline void client_close(client *cl) {
  h2e_loop_conn_free(cl->lc);
  for (int i = 0; i < cl->count; i++)
    free(cl->streams[i].body);
  free(cl);
}

static inline cli_stream *cli_find(client *cl, uint32_t id) {
  for (int i = 0; i < cl->count; i++)
    if ((uint32_t)cl->streams[i].id == id)
      return &cl->streams[i];
  return NULL;
}

static inline void cli_event(client *cl, const h2e_event *ev) {
  h2e_conn *c = h2e_loop_conn_engine(cl->lc);
  cli_stream *s = cli_find(cl, ev->stream_id);
  if (s == NULL)
    return;
  if (ev->type == H2E_EV_HEADERS &&
      ev->u.headers.kind == H2E_HEADERS_RESPONSE) {
    const h2e_field *f = &ev->u.headers.fields[0];
    s->status = atoi((const char *)f->value);
    s->done |= ev->u.headers.end_stream;
  } else if (ev->type == H2E_EV_DATA) {
    buf_append(&s->body, &s->len, &s->cap, ev->u.data.data, ev->u.data.len);
    h2e_consume(c, ev->stream_id, ev->u.data.len);
    s->done |= ev->u.data.end_stream;
  } else if (ev->type == H2E_EV_STREAM_RESET) {
    s->done = -1;
  }
}

/* One round of the user loop: poll for what the connection wants, say
 * what was ready, pull events until io has nothing more. */
static inline int client_step(client *cl, int timeout_ms) {
  unsigned interest = h2e_loop_conn_interest(cl->lc);
  if (interest & H2E_CLOSED)
    return cl->result = h2e_loop_conn_io(cl->lc, 0, test_now_ms());
  struct pollfd p = {h2e_loop_conn_fd(cl->lc), 0, 0};
  p.events = (short)((interest & H2E_WANT_READ ? POLLIN : 0) |
                     (interest & H2E_WANT_WRITE ? POLLOUT : 0));
  unsigned ready = 0;
  if (poll(&p, 1, timeout_ms) > 0) {
    if (p.revents & (POLLIN | POLLHUP | POLLERR))
      ready |= H2E_WANT_READ;
    if (p.revents & (POLLOUT | POLLHUP | POLLERR))
      ready |= H2E_WANT_WRITE;
  }
  int rc;
  while ((rc = h2e_loop_conn_io(cl->lc, ready, test_now_ms())) ==
         H2E_LOOP_EVENTS) {
    h2e_event ev;
    while (h2e_conn_next_event(h2e_loop_conn_engine(cl->lc), &ev))
      cli_event(cl, &ev);
    ready = 0;
  }
  return cl->result = rc;
}

static inline cli_stream *client_request(client *cl, const char *method,
                                         const char *path, const void *body,
                                         size_t len) {
  h2e_field fields[] = {FIELD(":method", method), FIELD(":scheme", "http"),
                        FIELD(":authority", "localhost"), FIELD(":path", path)};
  h2e_conn *c = h2e_loop_conn_engine(cl->lc);
  int32_t id = h2e_submit_request(c, fields, 4, body ? 0 : H2E_END_STREAM);
  assert_true(id > 0);
  if (body)
    assert_int_equal(h2e_submit_data(c, (uint32_t)id, body, len, H2E_END_STREAM,
                                     (uint64_t)id),
                     0);
  cli_stream *s = &cl->streams[cl->count++];
  memset(s, 0, sizeof *s);
  s->id = id;
  return s;
}

static inline int client_all_done(const client *cl) {
  for (int i = 0; i < cl->count; i++)
    if (cl->streams[i].done == 0)
      return 0;
  return 1;
}

/* Runs the server loop and the client in turns until every request is
 * answered, the client connection ends, or 20 s pass. */
static inline void pump(server *srv, client *cl) {
  uint64_t until = test_now_ms() + 20000;
  while (!client_all_done(cl) && cl->result != H2E_LOOP_DONE &&
         test_now_ms() < until) {
    h2e_loop_run_once(srv->loop, 0);
    client_step(cl, 1);
  }
}

#endif /* TEST_LOOP_HARNESS_H */
