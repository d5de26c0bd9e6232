/* h2e-uv-server: h2e in a foreign event loop. libuv owns the loop; each
 * connection is an h2e_loop_conn (the user-loop adapter) watched by a
 * uv_poll_t for readiness and a uv_timer_t for the engine's deadline.
 *
 *   h2e-uv-server [--port N] [--cert cert.pem --key key.pem] [--exit-after N]
 *
 * Answers every request with 200 and a short text naming the path and the
 * protocol ("h2c", or "h2" over TLS with ALPN). --exit-after N exits
 * once N responses went out and their clients closed (for tests). */
#include "h2e_loop.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

typedef struct server {
  uv_loop_t *loop;
  uv_poll_t listener;
  h2e_config config;
  h2e_loop_conn_options options;
  long responses, exit_after, open_conns;
} server;

typedef struct conn {
  server *srv;
  h2e_loop_conn *lc;
  uv_poll_t poll;
  uv_timer_t timer;
  int handles_open;
  char bodies[8][128]; /* response bodies, by stream id % 8 */
} conn;

static void conn_handle_closed(uv_handle_t *handle) {
  conn *c = handle->data;
  if (--c->handles_open == 0) {
    server *srv = c->srv;
    h2e_loop_conn_free(c->lc); /* closes the fd, after libuv let go */
    free(c);
    /* --exit-after: stop once the clients that got the responses left. */
    if (--srv->open_conns == 0 && srv->exit_after > 0 &&
        srv->responses >= srv->exit_after)
      uv_stop(srv->loop);
  }
}

static void conn_close(conn *c) {
  uv_close((uv_handle_t *)&c->poll, conn_handle_closed);
  uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
}

/* The response text, made when the request head arrives. */
static void prepare(conn *c, uint32_t id, const h2e_field *fields,
                    size_t count) {
  const char *path = "?";
  int path_len = 1;
  for (size_t i = 0; i < count; i++) {
    if (fields[i].name_len == 5 && memcmp(fields[i].name, ":path", 5) == 0) {
      path = (const char *)fields[i].value;
      path_len = (int)fields[i].value_len;
    }
  }
  snprintf(c->bodies[id % 8], sizeof c->bodies[0],
           "h2e over libuv (%s): %.*s\n", h2e_loop_conn_protocol(c->lc),
           path_len, path);
}

static void respond(conn *c, h2e_conn *engine, uint32_t id) {
  static const h2e_field head[] = {
      {(const uint8_t *)":status", (const uint8_t *)"200", 7, 3, 0},
      {(const uint8_t *)"content-type", (const uint8_t *)"text/plain", 12, 10,
       0}};
  const char *body = c->bodies[id % 8];
  if (h2e_submit_headers(engine, id, head, 2, 0) == 0 &&
      h2e_submit_data(engine, id, body, strlen(body), H2E_END_STREAM, id) == 0)
    c->srv->responses++;
}

/* The application: pull every event. Request bodies are consumed and
 * dropped; each request is answered once it has arrived whole. */
static void handle_events(conn *c) {
  h2e_conn *engine = h2e_loop_conn_engine(c->lc);
  h2e_event ev;
  while (h2e_conn_next_event(engine, &ev)) {
    int request_ends = 0;
    if (ev.type == H2E_EV_HEADERS) {
      if (ev.u.headers.kind == H2E_HEADERS_REQUEST)
        prepare(c, ev.stream_id, ev.u.headers.fields, ev.u.headers.count);
      request_ends = ev.u.headers.end_stream;
    } else if (ev.type == H2E_EV_DATA) {
      h2e_consume(engine, ev.stream_id, ev.u.data.len);
      request_ends = ev.u.data.end_stream;
    }
    if (request_ends)
      respond(c, engine, ev.stream_id);
  }
}

static void on_poll(uv_poll_t *handle, int status, int events);
static void on_timer(uv_timer_t *handle);

/* The user-loop round: io with what was ready, events in between, then
 * tell libuv what to wait for and when to wake. */
static void drive(conn *c, unsigned ready) {
  int rc;
  while ((rc = h2e_loop_conn_io(c->lc, ready, uv_now(c->srv->loop))) ==
         H2E_LOOP_EVENTS) {
    handle_events(c);
    ready = 0;
  }
  if (rc == H2E_LOOP_DONE) {
    int err = h2e_loop_conn_error(c->lc);
    if (err != 0 && err != H2E_LOOP_ERR_EOF) {
      const char *detail = h2e_loop_conn_error_detail(c->lc);
      fprintf(stderr, "h2e-uv-server: connection ended: %d %s\n", err,
              detail ? detail : "");
    }
    conn_close(c);
    return;
  }
  unsigned interest = h2e_loop_conn_interest(c->lc);
  int events = (interest & H2E_WANT_READ ? UV_READABLE : 0) |
               (interest & H2E_WANT_WRITE ? UV_WRITABLE : 0);
  if (events)
    uv_poll_start(&c->poll, events, on_poll);
  else
    uv_poll_stop(&c->poll);
  uint64_t deadline = h2e_loop_conn_deadline(c->lc);
  if (deadline == UINT64_MAX) {
    uv_timer_stop(&c->timer);
  } else {
    uint64_t now = uv_now(c->srv->loop);
    uv_timer_start(&c->timer, on_timer, deadline > now ? deadline - now : 0, 0);
  }
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  unsigned ready = 0;
  if (status < 0 || (events & UV_READABLE))
    ready |= H2E_WANT_READ;
  if (status < 0 || (events & UV_WRITABLE))
    ready |= H2E_WANT_WRITE;
  drive(handle->data, ready);
}

static void on_timer(uv_timer_t *handle) {
  drive(handle->data, 0);
}

static void on_accept(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  server *srv = handle->data;
  uv_os_fd_t listen_fd;
  uv_fileno((uv_handle_t *)handle, &listen_fd);
  int fd;
  while ((fd = accept(listen_fd, NULL, NULL)) >= 0) {
    conn *c = calloc(1, sizeof *c);
    c->srv = srv;
    c->lc = h2e_loop_conn_new(&srv->options, fd, uv_now(srv->loop));
    if (c->lc == NULL) {
      close(fd);
      free(c);
      continue;
    }
    uv_poll_init(srv->loop, &c->poll, fd);
    uv_timer_init(srv->loop, &c->timer);
    c->poll.data = c->timer.data = c;
    c->handles_open = 2;
    srv->open_conns++;
    drive(c, 0);
  }
}

static int parse_args(int argc, char **argv, server *srv, int *port) {
  const char *cert = NULL, *key = NULL;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      *port = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--cert") == 0)
      cert = argv[i + 1];
    else if (strcmp(argv[i], "--key") == 0)
      key = argv[i + 1];
    else if (strcmp(argv[i], "--exit-after") == 0)
      srv->exit_after = atol(argv[i + 1]);
    else
      return -1;
  }
  if (cert || key) {
    srv->options.tls = h2e_loop_tls_server_ctx(cert, key);
    if (srv->options.tls == NULL) {
      fprintf(stderr, "h2e-uv-server: no TLS (certificate, key, OpenSSL?)\n");
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  server srv;
  memset(&srv, 0, sizeof srv);
  int port = 8080;
  if (parse_args(argc, argv, &srv, &port) != 0) {
    fprintf(stderr, "usage: h2e-uv-server [--port N] [--cert C --key K] "
                    "[--exit-after N]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  h2e_config_init(&srv.config, H2E_SERVER);
  srv.options.config = &srv.config;
  srv.loop = uv_default_loop();
  int listen_fd = h2e_loop_listen_tcp("127.0.0.1", (uint16_t)port, 0, 64);
  if (listen_fd < 0) {
    fprintf(stderr, "h2e-uv-server: cannot listen on port %d\n", port);
    return 1;
  }
  printf("h2e-uv-server: listening on 127.0.0.1:%d (%s)\n",
         h2e_loop_local_port(listen_fd), srv.options.tls ? "h2" : "h2c");
  fflush(stdout);
  uv_poll_init(srv.loop, &srv.listener, listen_fd);
  srv.listener.data = &srv;
  uv_poll_start(&srv.listener, UV_READABLE, on_accept);
  uv_run(srv.loop, UV_RUN_DEFAULT);
  h2e_loop_tls_ctx_free(srv.options.tls);
  return 0;
}
