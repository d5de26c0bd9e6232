/* Server mode: one poll loop, any number of connections, each an h2e
 * server. GET /bytes/N answers N octets of the pattern; POST and PUT
 * echo the request body (with a 100 Continue first when asked); any other
 * path is a 404 with a short text. Bodies go out in PATTERN_CHUNK slices,
 * a few in flight per stream, referenced (not copied): a slice of the
 * read-only pattern, or of the stream's own echo buffer, which lives
 * until the engine releases the last slice (H2E_EV_DATA_SENT).
 *
 * Anything the engine reports against a real client (a connection error
 * or a stream reset of its own making, a stall) counts as an error, and
 * the exit status says whether there was one. SIGTERM and SIGINT end the
 * loop cleanly, so ASan sees every connection freed. */
#include "interop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNKS_IN_FLIGHT 8
#define ECHO_MAX         (64u << 20)
#define POLL_CAP_MS      100

static const char not_found_text[] = "not found\n";

typedef struct srv_stream {
  struct srv_stream *prev, *next;
  uint32_t id;
  int echo;            /* POST or PUT: the body comes back */
  int continue_due;    /* "expect: 100-continue" not yet answered */
  int request_done;    /* the request's END_STREAM arrived */
  int head_sent;       /* our response head is submitted */
  int finished;        /* nothing more to submit (done, reset, or failed) */
  int closed;          /* the engine said STREAM_CLOSED or STREAM_RESET */
  unsigned chunks_out; /* body slices not yet released */
  char status[4];
  char path[256];
  uint8_t *body; /* echo buffer */
  size_t body_len, body_cap;
  const uint8_t *fixed; /* a constant body (not found text) */
  uint64_t response_len, response_sent;
} srv_stream;

typedef struct server server;

typedef struct srv_conn {
  io_conn io;
  server *srv;
  long number;
  srv_stream *streams;
  h2e_config cfg;
  int started; /* the preface came, or an h2c upgrade was taken */
  int upgraded, settings_seen;
} srv_conn;

struct server {
  const server_options *opt;
  pattern pat;
  int listen_fd;
  srv_conn **conns;
  size_t nconns, conns_cap;
  long accepted, ended, requests, errors, upgrades;
  uint64_t short_recvs, wouldblocks; /* backpressure seen */
  uint64_t now_ms;
};

static void error_at(srv_conn *sc, uint32_t stream_id, const char *what,
                     const char *detail) {
  sc->srv->errors++;
  fprintf(
      stderr, "h2e-interop server: ERROR conn %ld stream %" PRIu32 ": %s%s%s\n",
      sc->number, stream_id, what, detail ? ": " : "", detail ? detail : "");
}

/* ---- streams ------------------------------------------------------------ */

static srv_stream *stream_find(srv_conn *sc, uint32_t id) {
  for (srv_stream *s = sc->streams; s != NULL; s = s->next)
    if (s->id == id)
      return s;
  return NULL;
}

static void stream_unlink_free(srv_conn *sc, srv_stream *s) {
  if (s->prev)
    s->prev->next = s->next;
  else
    sc->streams = s->next;
  if (s->next)
    s->next->prev = s->prev;
  free(s->body);
  free(s);
}

/* A stream is forgotten once closed and every slice of it released. */
static void stream_maybe_free(srv_conn *sc, srv_stream *s) {
  if (s->closed && s->chunks_out == 0)
    stream_unlink_free(sc, s);
}

static srv_stream *stream_new(srv_conn *sc, uint32_t id) {
  srv_stream *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->id = id;
  s->next = sc->streams;
  if (sc->streams)
    sc->streams->prev = s;
  sc->streams = s;
  h2e_stream_set_user_data(sc->io.conn, id, s);
  return s;
}

static int parse_size(const char *text, uint64_t *size) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || (*end && *end != '?'))
    return -1;
  *size = v;
  return 0;
}

/* What the request gets, once it is complete. */
static void plan_response(srv_conn *sc, srv_stream *s) {
  sc->srv->requests++;
  uint64_t size;
  strcpy(s->status, "200");
  if (s->echo) {
    s->response_len = s->body_len;
  } else if (strncmp(s->path, "/bytes/", 7) == 0 &&
             parse_size(s->path + 7, &size) == 0) {
    s->response_len = size;
  } else {
    strcpy(s->status, "404");
    s->fixed = (const uint8_t *)not_found_text;
    s->response_len = sizeof not_found_text - 1;
  }
}

static void request_head(srv_conn *sc, const h2e_event *ev) {
  srv_stream *s = stream_new(sc, ev->stream_id);
  if (s == NULL) {
    error_at(sc, ev->stream_id, "out of memory", NULL);
    h2e_submit_rst_stream(sc->io.conn, ev->stream_id, H2E_INTERNAL_ERROR);
    return;
  }
  for (size_t i = 0; i < ev->u.headers.count; i++) {
    const h2e_field *f = &ev->u.headers.fields[i];
    char value[32];
    if (field_is(f, ":path")) {
      field_value(f, s->path, sizeof s->path);
    } else if (field_is(f, ":method")) {
      field_value(f, value, sizeof value);
      s->echo = strcmp(value, "POST") == 0 || strcmp(value, "PUT") == 0;
    } else if (field_is(f, "expect")) {
      field_value(f, value, sizeof value);
      s->continue_due = strcmp(value, "100-continue") == 0;
    }
  }
  if (ev->u.headers.end_stream) {
    s->request_done = 1;
    s->continue_due = 0;
    plan_response(sc, s);
  }
}

static int body_append(srv_stream *s, const uint8_t *data, size_t len) {
  if (len == 0)
    return 0;
  if (s->body_len + len > s->body_cap) {
    size_t cap = s->body_cap ? s->body_cap : 65536;
    while (cap < s->body_len + len)
      cap *= 2;
    if (cap > ECHO_MAX)
      return -1;
    uint8_t *body = realloc(s->body, cap);
    if (body == NULL)
      return -1;
    s->body = body;
    s->body_cap = cap;
  }
  memcpy(s->body + s->body_len, data, len);
  s->body_len += len;
  return 0;
}

static void request_data(srv_conn *sc, const h2e_event *ev) {
  srv_stream *s = h2e_stream_get_user_data(sc->io.conn, ev->stream_id);
  int rc = h2e_consume(sc->io.conn, ev->stream_id, ev->u.data.len);
  if (rc != 0)
    error_at(sc, ev->stream_id, "h2e_consume", h2e_strerror(rc));
  if (s == NULL) {
    error_at(sc, ev->stream_id, "DATA on a stream without user data", NULL);
    return;
  }
  if (s->echo && !s->finished &&
      body_append(s, ev->u.data.data, ev->u.data.len) != 0) {
    error_at(sc, s->id, "request body too large to echo", NULL);
    h2e_submit_rst_stream(sc->io.conn, s->id, H2E_INTERNAL_ERROR);
    s->finished = 1;
  }
  if (ev->u.data.end_stream && !s->finished) {
    s->request_done = 1;
    s->continue_due = 0;
    plan_response(sc, s);
  }
}

static void request_trailers(srv_conn *sc, const h2e_event *ev) {
  srv_stream *s = h2e_stream_get_user_data(sc->io.conn, ev->stream_id);
  if (s == NULL) {
    error_at(sc, ev->stream_id, "trailers on a stream without user data", NULL);
    return;
  }
  s->request_done = 1;
  s->continue_due = 0;
  plan_response(sc, s);
}

static void stream_ended(srv_conn *sc, const h2e_event *ev) {
  srv_stream *s = stream_find(sc, ev->stream_id);
  if (ev->type == H2E_EV_STREAM_RESET) {
    if (!ev->u.reset.by_peer)
      error_at(sc, ev->stream_id, "the engine reset a stream",
               h2e_h2_error_name(ev->u.reset.error_code));
    else if (sc->srv->opt->verbose)
      fprintf(stderr, "conn %ld stream %" PRIu32 ": reset by peer: %s\n",
              sc->number, ev->stream_id,
              h2e_h2_error_name(ev->u.reset.error_code));
  }
  if (s == NULL)
    return; /* reset before its head reached us (refused) */
  s->closed = 1;
  s->finished = 1;
  stream_maybe_free(sc, s);
}

static void data_sent(srv_conn *sc, const h2e_event *ev) {
  srv_stream *s = (srv_stream *)(uintptr_t)ev->u.data_sent.cookie;
  s->chunks_out--;
  stream_maybe_free(sc, s);
}

static void conn_failed(srv_conn *sc, const h2e_event *ev) {
  if (ev->u.conn_error.by_peer) {
    fprintf(stderr, "conn %ld: the peer ended it with %s\n", sc->number,
            h2e_h2_error_name(ev->u.conn_error.error_code));
    return;
  }
  error_at(sc, 0, h2e_h2_error_name(ev->u.conn_error.error_code),
           ev->u.conn_error.reason);
}

static void server_event(void *ctx, io_conn *io, const h2e_event *ev) {
  srv_conn *sc = ctx;
  (void)io;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    if (ev->u.headers.kind == H2E_HEADERS_REQUEST)
      request_head(sc, ev);
    else if (ev->u.headers.kind == H2E_HEADERS_TRAILERS)
      request_trailers(sc, ev);
    break;
  case H2E_EV_DATA:
    request_data(sc, ev);
    break;
  case H2E_EV_STREAM_RESET:
  case H2E_EV_STREAM_CLOSED:
    stream_ended(sc, ev);
    break;
  case H2E_EV_DATA_SENT:
    data_sent(sc, ev);
    break;
  case H2E_EV_CONN_ERROR:
    conn_failed(sc, ev);
    break;
  case H2E_EV_SETTINGS:
    sc->settings_seen = 1;
    break;
  default:
    break;
  }
}

/* ---- responses ---------------------------------------------------------- */

/* Submits what can go now: 1 when something was submitted, 0 when it
 * must wait, -1 when the stream is given up. */
static int check_submit(srv_conn *sc, srv_stream *s, int rc, const char *what) {
  if (rc == 0)
    return 1;
  if (rc == H2E_ERR_WOULDBLOCK) {
    sc->srv->wouldblocks++;
    return 0;
  }
  if (rc != H2E_ERR_STREAM_CLOSED) /* a reset may be on its way to us */
    error_at(sc, s->id, what, h2e_strerror(rc));
  s->finished = 1;
  return -1;
}

static int submit_continue(srv_conn *sc, srv_stream *s) {
  h2e_field head[] = {field_of(":status", "100")};
  int rc = check_submit(
      sc, s, h2e_submit_headers(sc->io.conn, s->id, head, 1, 0), "100 head");
  if (rc == 1)
    s->continue_due = 0;
  return rc;
}

static int submit_head(srv_conn *sc, srv_stream *s) {
  char length[24];
  snprintf(length, sizeof length, "%" PRIu64, s->response_len);
  h2e_field head[] = {field_of(":status", s->status),
                      field_of("content-length", length),
                      field_of("content-type", "application/octet-stream"),
                      field_of("server", "h2e-interop")};
  unsigned flags = s->response_len == 0 ? H2E_END_STREAM : 0;
  int rc = check_submit(
      sc, s, h2e_submit_headers(sc->io.conn, s->id, head, 4, flags), "head");
  if (rc == 1) {
    s->head_sent = 1;
    s->finished = s->response_len == 0;
  }
  return rc;
}

static const uint8_t *body_slice(const server *srv, const srv_stream *s) {
  if (s->echo)
    return s->body + s->response_sent;
  if (s->fixed)
    return s->fixed + s->response_sent;
  return pattern_at(&srv->pat, s->response_sent);
}

static int submit_body_slice(srv_conn *sc, srv_stream *s) {
  uint64_t left = s->response_len - s->response_sent;
  size_t len = left < PATTERN_CHUNK ? (size_t)left : PATTERN_CHUNK;
  unsigned flags = len == left ? H2E_END_STREAM : 0;
  int rc =
      check_submit(sc, s,
                   h2e_submit_data(sc->io.conn, s->id, body_slice(sc->srv, s),
                                   len, flags, (uint64_t)(uintptr_t)s),
                   "body");
  if (rc == 1) {
    s->chunks_out++;
    s->response_sent += len;
    s->finished = s->response_sent == s->response_len;
  }
  return rc;
}

static int stream_work(srv_conn *sc, srv_stream *s) {
  int progress = 0, rc = 1;
  /* After an upgrade, answer once the client's preface is in: curl 7.88
   * keeps at most 32 KiB that come with the 101 ("connection buffer size
   * is too small to store data following HTTP Upgrade response"). */
  if (s->finished || (sc->upgraded && !sc->settings_seen))
    return 0;
  if (s->continue_due && !s->request_done)
    return submit_continue(sc, s) == 1;
  if (!s->request_done)
    return 0;
  if (!s->head_sent && (rc = submit_head(sc, s)) == 1)
    progress = 1;
  while (rc == 1 && !s->finished && s->chunks_out < CHUNKS_IN_FLIGHT &&
         (rc = submit_body_slice(sc, s)) == 1)
    progress = 1;
  return progress;
}

static int server_work(void *ctx, io_conn *io) {
  srv_conn *sc = ctx;
  int progress = 0;
  (void)io;
  for (srv_stream *s = sc->streams, *next; s != NULL; s = next) {
    next = s->next;
    progress |= stream_work(sc, s);
  }
  return progress;
}

/* ---- connections -------------------------------------------------------- */

static void conn_close(server *srv, size_t index) {
  srv_conn *sc = srv->conns[index];
  if (sc->io.stalled)
    error_at(sc, 0, "the engine stalled (input left it will not take)", NULL);
  if (srv->opt->verbose)
    fprintf(stderr,
            "conn %ld: closed, %" PRIu64 " octets in, %" PRIu64 " out\n",
            sc->number, sc->io.bytes_in, sc->io.bytes_out);
  srv->short_recvs += sc->io.short_recvs;
  h2e_conn_free(sc->io.conn);
  close(sc->io.fd);
  while (sc->streams)
    stream_unlink_free(sc, sc->streams);
  free(sc);
  srv->conns[index] = srv->conns[--srv->nconns];
  srv->ended++;
}

static int conn_add(server *srv, int fd) {
  if (srv->nconns == srv->conns_cap) {
    size_t cap = srv->conns_cap ? srv->conns_cap * 2 : 16;
    srv_conn **conns = realloc(srv->conns, cap * sizeof *conns);
    if (conns == NULL)
      return -1;
    srv->conns = conns;
    srv->conns_cap = cap;
  }
  h2e_config cfg;
  h2e_config_init(&cfg, H2E_SERVER);
  if (srv->opt->tight)
    io_config_tight(&cfg);
  if (srv->opt->max_streams)
    cfg.max_concurrent_streams = srv->opt->max_streams;
  if (srv->opt->window)
    cfg.initial_window_size = srv->opt->window;
  if (srv->opt->window > cfg.connection_window)
    cfg.connection_window = srv->opt->window;
  srv_conn *sc = calloc(1, sizeof *sc);
  h2e_conn *conn = sc ? h2e_conn_new(&cfg, NULL, srv->now_ms) : NULL;
  if (conn == NULL) {
    free(sc);
    return -1;
  }
  io_init(&sc->io, fd, conn, server_event, server_work, sc);
  sc->cfg = cfg;
  sc->srv = srv;
  sc->number = ++srv->accepted;
  srv->conns[srv->nconns++] = sc;
  return 0;
}

static void accept_all(server *srv) {
  for (;;) {
    int fd = accept(srv->listen_fd, NULL, NULL);
    if (fd < 0)
      return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (io_set_nonblocking(fd) != 0 || conn_add(srv, fd) != 0) {
      fprintf(stderr, "h2e-interop server: ERROR cannot take a connection\n");
      srv->errors++;
      close(fd);
    }
  }
}

static int listen_on(server *srv) {
  struct sockaddr_in addr = {0};
  socklen_t addr_len = sizeof addr;
  int one = 1;
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)srv->opt->port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srv->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (srv->listen_fd < 0)
    return -1;
  setsockopt(srv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(srv->listen_fd, 128) != 0 ||
      io_set_nonblocking(srv->listen_fd) != 0 ||
      getsockname(srv->listen_fd, (struct sockaddr *)&addr, &addr_len) != 0)
    return -1;
  return ntohs(addr.sin_port);
}

static int write_port_file(const char *path, int port) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL)
    return -1;
  fprintf(f, "%d\n", port);
  if (fclose(f) != 0)
    return -1;
  return rename(tmp, path);
}

/* ---- the loop ----------------------------------------------------------- */

static int stop_requested(void) {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT);
}

static int poll_all(server *srv, struct pollfd *fds) {
  int timeout = POLL_CAP_MS;
  fds[0] = (struct pollfd){srv->listen_fd, POLLIN, 0};
  for (size_t i = 0; i < srv->nconns; i++) {
    io_conn *io = &srv->conns[i]->io;
    /* Undecided: only the request head is awaited. */
    short events = srv->conns[i]->started ? io_poll_events(io) : POLLIN;
    fds[i + 1] = (struct pollfd){io->fd, events, 0};
    int t = io_timeout(io, srv->now_ms, POLL_CAP_MS);
    timeout = t < timeout ? t : timeout;
  }
  return poll(fds, srv->nconns + 1, timeout);
}

/* Before the engine runs: an HTTP/1.1 request asking for h2c is taken
 * here (RFC 7540 §3.2); anything else goes to the engine, which says
 * H2E_ERR_NOT_HTTP2 for other HTTP/1.1 requests. 0 while undecided. */
static int conn_started(srv_conn *sc) {
  static const char preface[] = "PRI * HTTP/2.0";
  io_conn *io = &sc->io;
  size_t n = io->input_len < 14 ? io->input_len : 14;
  if (sc->started || (n > 0 && memcmp(io->input, preface, n) == 0))
    return sc->started = 1;
  if (io->input_len == 0 && !io->peer_eof)
    return 0;
  int rc = upgrade_take(io, &sc->cfg, sc->srv->now_ms);
  if (rc == 1) {
    sc->upgraded = 1;
    sc->srv->upgrades++;
  }
  return sc->started = rc != 0;
}

static void serve_ready(server *srv, const struct pollfd *fds, size_t n) {
  /* Walk backwards: closing moves the last connection into the gap. */
  for (size_t i = n; i-- > 0;) {
    io_conn *io = &srv->conns[i]->io;
    if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
      io_read(io);
    if (!conn_started(srv->conns[i]))
      continue; /* nothing of ours goes out before a 101 */
    io_tick(io, srv->now_ms);
    io_step(io, srv->now_ms);
    if (io_finished(io))
      conn_close(srv, i);
  }
}

static int done(const server *srv, uint64_t end_ms) {
  if (srv->opt->max_conns && srv->ended >= srv->opt->max_conns &&
      srv->nconns == 0)
    return 1;
  return end_ms && srv->now_ms >= end_ms;
}

static int serve(server *srv) {
  uint64_t end_ms =
      srv->opt->seconds ? srv->now_ms + (uint64_t)srv->opt->seconds * 1000u : 0;
  struct pollfd *fds = NULL;
  size_t fds_cap = 0;
  while (!stop_requested() && !done(srv, end_ms)) {
    if (fds_cap < srv->nconns + 1) {
      fds_cap = (srv->nconns + 1) * 2;
      struct pollfd *grown = realloc(fds, fds_cap * sizeof *fds);
      if (grown == NULL)
        break;
      fds = grown;
    }
    size_t n = srv->nconns;
    if (poll_all(srv, fds) < 0 && errno != EINTR)
      break;
    srv->now_ms = io_now_ms();
    serve_ready(srv, fds, n);
    if (fds[0].revents & POLLIN)
      accept_all(srv);
  }
  free(fds);
  return 0;
}

int server_run(const server_options *opt) {
  server *srv = calloc(1, sizeof *srv);
  if (srv == NULL)
    return 2;
  srv->opt = opt;
  srv->now_ms = io_now_ms();
  pattern_init(&srv->pat);
  /* Held back and looked at between polls: no handler, no global. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);
  int port = listen_on(srv);
  if (port < 0 || (opt->port_file && write_port_file(opt->port_file, port))) {
    perror("h2e-interop server: listen");
    free(srv);
    return 2;
  }
  fprintf(stderr, "h2e-interop server: listening on 127.0.0.1:%d\n", port);
  serve(srv);
  while (srv->nconns > 0)
    conn_close(srv, srv->nconns - 1);
  close(srv->listen_fd);
  free(srv->conns);
  fprintf(stderr,
          "h2e-interop server: %ld connections (%ld upgraded from "
          "HTTP/1.1), %ld requests, %ld errors (backpressure: %" PRIu64
          " short recvs, %" PRIu64 " submits WOULDBLOCK)\n",
          srv->accepted, srv->upgrades, srv->requests, srv->errors,
          srv->short_recvs, srv->wouldblocks);
  int status = srv->errors ? 1 : 0;
  free(srv);
  return status;
}
