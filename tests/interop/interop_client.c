/* Client mode: one connection, a list of requests run --repeat times with
 * at most --concurrency in flight, every response checked as it arrives:
 * the status, then each DATA payload byte for byte against what was
 * expected at that offset, then the length when the stream closes.
 *
 * A request spec is METHOD,PATH followed by any of
 *   body=FILE        the request body, from memory (h2e_submit_data)
 *   bodyfile=FILE    the request body as a file region (h2e_submit_file)
 *   expect=file:F    the response body equals file F
 *   expect=pattern:N N octets of the pattern (octet i is i % 251)
 *   expect=echo      the request body comes back
 *   expect=any       anything (the default)
 *   status=N         the expected :status (default 200)
 * Streams are numbered 1, 3, 5, ... in submission order, so a stream's
 * record is found from its id. With --push PATH=file:F the client takes
 * pushes (ENABLE_PUSH=1): a promise of PATH is accepted and its pushed
 * response must equal file F; with --push PATH=cancel it is refused with
 * RST_STREAM CANCEL. Every rule must see exactly one promise, and no
 * other push may come. Requests wait for the server's SETTINGS,
 * and an H2E_ERR_STREAM_LIMIT or H2E_ERR_WOULDBLOCK from a submit only
 * means "later". */
#include "interop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define POLL_CAP_MS     100
#define GOAWAY_GRACE_MS 500

typedef enum expect_kind {
  EXPECT_ANY,
  EXPECT_BYTES, /* expect_data */
  EXPECT_PATTERN,
  EXPECT_ECHO
} expect_kind;

typedef struct req_spec {
  char *text; /* the spec, split in place */
  const char *method, *path;
  uint8_t *body; /* whole request body in memory (also for bodyfile) */
  size_t body_len;
  int body_fd; /* bodyfile: sent with h2e_submit_file; else -1 */
  expect_kind expect;
  uint8_t *expect_data;
  uint64_t expect_len;
  char status[4];
} req_spec;

typedef struct cli_stream {
  const req_spec *spec;
  uint32_t id;
  int head_seen, end_seen, body_pending, done, failed;
  uint64_t received;
} cli_stream;

/* --push PATH=file:F|cancel (RFC 9113 §8.4). */
typedef struct push_rule {
  char *text; /* split in place */
  const char *path;
  int cancel;
  int promised; /* promises of this path seen */
  req_spec spec;
  cli_stream stream; /* the pushed response, when accepted */
} push_rule;

typedef struct client {
  const client_options *opt;
  req_spec *specs;
  cli_stream *streams;
  push_rule *pushes;
  long total, submitted, finished, failures, open, peak;
  int settings_seen, goaway_sent, fatal;
  long bodies_pending;
  uint64_t goaway_ms;
  io_conn io;
  char authority[300];
} client;

static void fail(client *c, const cli_stream *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(client *c, const cli_stream *s, const char *fmt, ...) {
  va_list ap;
  c->failures++;
  fprintf(stderr, "h2e-interop client: FAIL ");
  if (s != NULL)
    fprintf(stderr, "stream %" PRIu32 " (%s %s): ", s->id, s->spec->method,
            s->spec->path);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* ---- request specs ------------------------------------------------------ */

static int spec_expect(req_spec *spec, const char *value) {
  if (strcmp(value, "any") == 0)
    spec->expect = EXPECT_ANY;
  else if (strcmp(value, "echo") == 0)
    spec->expect = EXPECT_ECHO;
  else if (strncmp(value, "pattern:", 8) == 0) {
    spec->expect = EXPECT_PATTERN;
    spec->expect_len = strtoull(value + 8, NULL, 10);
  } else if (strncmp(value, "file:", 5) == 0) {
    size_t len;
    spec->expect = EXPECT_BYTES;
    if (file_load(value + 5, &spec->expect_data, &len) != 0)
      return -1;
    spec->expect_len = len;
  } else {
    return -1;
  }
  return 0;
}

static int spec_option(req_spec *spec, char *option) {
  char *value = strchr(option, '=');
  if (value == NULL)
    return -1;
  *value++ = 0;
  if (strcmp(option, "body") == 0 || strcmp(option, "bodyfile") == 0) {
    if (file_load(value, &spec->body, &spec->body_len) != 0)
      return -1;
    if (option[4] == 'f' && (spec->body_fd = open(value, O_RDONLY)) < 0)
      return -1;
    return 0;
  }
  if (strcmp(option, "expect") == 0)
    return spec_expect(spec, value);
  if (strcmp(option, "status") == 0 && strlen(value) == 3) {
    memcpy(spec->status, value, 4);
    return 0;
  }
  return -1;
}

static int spec_parse(req_spec *spec, const char *text) {
  char *save = NULL;
  memset(spec, 0, sizeof *spec);
  spec->body_fd = -1;
  strcpy(spec->status, "200");
  spec->text = strdup(text);
  if (spec->text == NULL)
    return -1;
  spec->method = strtok_r(spec->text, ",", &save);
  spec->path = strtok_r(NULL, ",", &save);
  if (spec->method == NULL || spec->path == NULL)
    return -1;
  for (char *opt; (opt = strtok_r(NULL, ",", &save)) != NULL;)
    if (spec_option(spec, opt) != 0)
      return -1;
  if (spec->expect == EXPECT_ECHO)
    spec->expect_len = spec->body_len;
  return 0;
}

static void spec_free(req_spec *spec) {
  if (spec->text == NULL)
    return; /* never parsed */
  free(spec->text);
  free(spec->body);
  free(spec->expect_data);
  if (spec->body_fd >= 0)
    close(spec->body_fd);
}

/* ---- checking responses ------------------------------------------------- */

static cli_stream *stream_of(client *c, uint32_t id) {
  uint32_t index = (id - 1) / 2;
  if (id % 2 == 1 && index < c->submitted && c->streams[index].id == id)
    return &c->streams[index];
  fail(c, NULL, "event for stream %" PRIu32 ", which we never opened", id);
  return NULL;
}

static void check_head(client *c, cli_stream *s, const h2e_event *ev) {
  if (ev->u.headers.kind == H2E_HEADERS_INFORMATIONAL ||
      ev->u.headers.kind == H2E_HEADERS_TRAILERS)
    goto end;
  if (s->head_seen++)
    fail(c, s, "a second response head");
  const h2e_field *status = NULL;
  for (size_t i = 0; i < ev->u.headers.count; i++)
    if (field_is(&ev->u.headers.fields[i], ":status"))
      status = &ev->u.headers.fields[i];
  char value[8] = "";
  if (status != NULL)
    field_value(status, value, sizeof value);
  if (strcmp(value, s->spec->status) != 0)
    fail(c, s, ":status %s, expected %s", value, s->spec->status);
end:
  s->end_seen |= ev->u.headers.end_stream;
}

static size_t first_difference(const cli_stream *s, const uint8_t *data,
                               size_t len) {
  const req_spec *spec = s->spec;
  if (spec->expect == EXPECT_PATTERN)
    return pattern_mismatch(data, len, s->received);
  const uint8_t *expected =
      spec->expect == EXPECT_ECHO ? spec->body : spec->expect_data;
  for (size_t i = 0; i < len; i++)
    if (data[i] != expected[s->received + i])
      return i;
  return len;
}

static void check_data(client *c, cli_stream *s, const h2e_event *ev) {
  size_t len = ev->u.data.len;
  int rc = h2e_consume(c->io.conn, s->id, len);
  if (rc != 0)
    fail(c, s, "h2e_consume: %s", h2e_strerror(rc));
  if (!s->head_seen)
    fail(c, s, "DATA before the response head");
  if (s->spec->expect != EXPECT_ANY && !s->failed) {
    if (s->received + len > s->spec->expect_len) {
      fail(c, s, "body longer than the expected %" PRIu64 " octets",
           s->spec->expect_len);
      s->failed = 1;
    } else {
      size_t at = first_difference(s, ev->u.data.data, len);
      if (at < len) {
        fail(c, s, "body differs at offset %" PRIu64, s->received + at);
        s->failed = 1;
      }
    }
  }
  s->received += len;
  s->end_seen |= ev->u.data.end_stream;
}

static void stream_done(client *c, cli_stream *s, const h2e_event *ev) {
  if (s->done++) {
    fail(c, s, "ended twice");
    return;
  }
  if (s->id % 2 == 1) { /* ours, not a push */
    c->finished++;
    c->open--;
  }
  if (ev->type == H2E_EV_STREAM_RESET) {
    fail(c, s, "reset (%s, by %s%s)", h2e_h2_error_name(ev->u.reset.error_code),
         ev->u.reset.by_peer ? "peer" : "us",
         ev->u.reset.retryable ? ", retryable" : "");
    return;
  }
  if (!s->head_seen || !s->end_seen)
    fail(c, s, "closed without a whole response");
  else if (s->spec->expect != EXPECT_ANY && s->received != s->spec->expect_len)
    fail(c, s, "body of %" PRIu64 " octets, expected %" PRIu64, s->received,
         s->spec->expect_len);
  else if (c->opt->verbose)
    fprintf(stderr, "stream %" PRIu32 ": ok, %" PRIu64 " octets\n", s->id,
            s->received);
}

/* ---- pushes ------------------------------------------------------------- */

static int push_parse(push_rule *rule, const char *text) {
  memset(rule, 0, sizeof *rule);
  rule->spec.body_fd = -1;
  strcpy(rule->spec.status, "200");
  rule->text = strdup(text);
  char *value = rule->text ? strchr(rule->text, '=') : NULL;
  if (value == NULL)
    return -1;
  *value++ = 0;
  rule->path = rule->spec.path = rule->text;
  rule->spec.method = "GET";
  rule->cancel = strcmp(value, "cancel") == 0;
  return rule->cancel ? 0 : spec_expect(&rule->spec, value);
}

static push_rule *push_rule_of(client *c, const char *path) {
  for (int i = 0; i < c->opt->npushes; i++)
    if (strcmp(c->pushes[i].path, path) == 0)
      return &c->pushes[i];
  return NULL;
}

/* The pushed response being received on an even stream id. */
static cli_stream *push_stream_of(client *c, uint32_t id) {
  for (int i = 0; i < c->opt->npushes; i++)
    if (!c->pushes[i].cancel && c->pushes[i].stream.id == id)
      return &c->pushes[i].stream;
  fail(c, NULL, "event for pushed stream %" PRIu32 ", not accepted", id);
  return NULL;
}

static void push_promised(client *c, const h2e_event *ev) {
  char path[256] = "";
  for (size_t i = 0; i < ev->u.push_promise.count; i++)
    if (field_is(&ev->u.push_promise.fields[i], ":path"))
      field_value(&ev->u.push_promise.fields[i], path, sizeof path);
  uint32_t id = ev->u.push_promise.promised_stream_id;
  push_rule *rule = push_rule_of(c, path);
  if (rule == NULL || rule->promised++ > 0 || rule->cancel) {
    if (rule == NULL || rule->promised > 1)
      fail(c, NULL, "unexpected push of %s", path);
    int rc = h2e_submit_rst_stream(c->io.conn, id, H2E_CANCEL);
    if (rc != 0) /* e.g. the whole push came in the same read */
      fail(c, NULL, "refusing push %" PRIu32 ": %s", id, h2e_strerror(rc));
    if (rule != NULL)
      rule->stream.id = id;
    return;
  }
  rule->stream.spec = &rule->spec;
  rule->stream.id = id;
}

static int pushes_done(const client *c) {
  for (int i = 0; i < c->opt->npushes; i++)
    if (!c->pushes[i].cancel && !c->pushes[i].stream.done)
      return 0;
  return 1;
}

static void pushes_check(client *c) {
  for (int i = 0; i < c->opt->npushes; i++) {
    const push_rule *rule = &c->pushes[i];
    if (rule->promised != 1)
      fail(c, NULL, "%d promises of %s, expected one", rule->promised,
           rule->path);
    else if (!rule->cancel && !rule->stream.done)
      fail(c, &rule->stream, "pushed response not finished");
  }
}

/* A refused push: events queued before our RST_STREAM still come. */
static int push_refused(const client *c, uint32_t id) {
  for (int i = 0; i < c->opt->npushes; i++)
    if (c->pushes[i].cancel && c->pushes[i].stream.id == id)
      return 1;
  return 0;
}

/* Our request streams are odd, pushed ones even (RFC 9113 §5.1.1). */
static cli_stream *any_stream_of(client *c, uint32_t id) {
  return id % 2 == 1 ? stream_of(c, id) : push_stream_of(c, id);
}

static void client_event(void *ctx, io_conn *io, const h2e_event *ev) {
  client *c = ctx;
  cli_stream *s = NULL;
  (void)io;
  if (ev->stream_id != 0 && ev->stream_id % 2 == 0 &&
      push_refused(c, ev->stream_id)) {
    if (ev->type == H2E_EV_DATA)
      h2e_consume(c->io.conn, ev->stream_id, ev->u.data.len);
    return;
  }
  switch (ev->type) {
  case H2E_EV_SETTINGS:
    c->settings_seen = 1;
    break;
  case H2E_EV_HEADERS:
    if ((s = any_stream_of(c, ev->stream_id)) != NULL)
      check_head(c, s, ev);
    break;
  case H2E_EV_DATA:
    if ((s = any_stream_of(c, ev->stream_id)) != NULL)
      check_data(c, s, ev);
    else
      h2e_consume(c->io.conn, ev->stream_id, ev->u.data.len);
    break;
  case H2E_EV_STREAM_RESET:
  case H2E_EV_STREAM_CLOSED:
    if ((s = any_stream_of(c, ev->stream_id)) != NULL)
      stream_done(c, s, ev);
    break;
  case H2E_EV_GOAWAY:
    if (c->submitted < c->total || c->finished < c->total)
      fail(c, NULL, "GOAWAY (%s, last stream %" PRIu32 ") before the end",
           h2e_h2_error_name(ev->u.goaway.error_code),
           ev->u.goaway.last_stream_id);
    break;
  case H2E_EV_CONN_ERROR:
    fail(c, NULL, "connection error %s (%s): %s%s",
         h2e_h2_error_name(ev->u.conn_error.error_code),
         ev->u.conn_error.by_peer ? "by the peer" : "by us",
         ev->u.conn_error.reason ? ev->u.conn_error.reason : "",
         c->goaway_sent ? " [after every response was checked and our "
                          "GOAWAY sent]"
                        : "");
    c->fatal = 1;
    break;
  case H2E_EV_PUSH_PROMISE:
    push_promised(c, ev);
    break;
  default:
    break;
  }
}

/* ---- submitting --------------------------------------------------------- */

static int submit_body(client *c, cli_stream *s) {
  const req_spec *spec = s->spec;
  int rc = spec->body_fd >= 0
               ? h2e_submit_file(c->io.conn, s->id, spec->body_fd, 0,
                                 spec->body_len, H2E_END_STREAM, s->id)
               : h2e_submit_data(c->io.conn, s->id, spec->body, spec->body_len,
                                 H2E_END_STREAM, s->id);
  if (rc == H2E_ERR_WOULDBLOCK)
    return 0;
  if (rc != 0)
    fail(c, s, "submitting the body: %s", h2e_strerror(rc));
  s->body_pending = 0;
  c->bodies_pending--;
  return 1;
}

static int submit_pending_bodies(client *c) {
  int progress = 0;
  for (long i = 0; i < c->submitted && c->bodies_pending > 0; i++)
    if (c->streams[i].body_pending && !c->streams[i].done) {
      if (!submit_body(c, &c->streams[i]))
        break;
      progress = 1;
    }
  return progress;
}

/* 1 when a request went out, 0 when it must wait. */
static int submit_request(client *c) {
  const req_spec *spec = &c->specs[c->submitted % c->opt->nspecs];
  char length[24];
  snprintf(length, sizeof length, "%zu", spec->body_len);
  h2e_field head[] = {field_of(":method", spec->method),
                      field_of(":scheme", "http"),
                      field_of(":authority", c->authority),
                      field_of(":path", spec->path),
                      field_of("user-agent", "h2e-interop"),
                      field_of("content-length", length)};
  int has_body = spec->body != NULL;
  int32_t id = h2e_submit_request(c->io.conn, head, has_body ? 6 : 5,
                                  has_body ? 0 : H2E_END_STREAM);
  if (id == H2E_ERR_STREAM_LIMIT || id == H2E_ERR_WOULDBLOCK)
    return 0;
  if (id < 0) {
    fail(c, NULL, "h2e_submit_request: %s", h2e_strerror(id));
    c->fatal = 1;
    return 0;
  }
  cli_stream *s = &c->streams[c->submitted++];
  s->spec = spec;
  s->id = (uint32_t)id;
  if ((uint32_t)id != 2 * (uint32_t)(c->submitted - 1) + 1)
    fail(c, s, "stream id %" PRId32 " out of sequence", id);
  c->open++;
  c->peak = c->open > c->peak ? c->open : c->peak;
  if (has_body) {
    s->body_pending = 1;
    c->bodies_pending++;
    submit_body(c, s);
  }
  return 1;
}

static int client_work(void *ctx, io_conn *io) {
  client *c = ctx;
  int progress = 0;
  (void)io;
  if (!c->settings_seen || c->fatal)
    return 0;
  progress |= submit_pending_bodies(c);
  while (c->submitted < c->total && c->open < c->opt->concurrency &&
         c->bodies_pending == 0 && submit_request(c))
    progress = 1;
  if (c->finished == c->total && pushes_done(c) && !c->goaway_sent) {
    c->goaway_sent = 1;
    c->goaway_ms = io_now_ms();
    int rc = h2e_submit_goaway(c->io.conn, H2E_NO_ERROR, "done", c->goaway_ms);
    if (rc != 0)
      fail(c, NULL, "h2e_submit_goaway: %s", h2e_strerror(rc));
    progress = 1;
  }
  return progress;
}

/* ---- the loop ----------------------------------------------------------- */

static int connect_to(const client_options *opt) {
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)opt->port);
  if (inet_pton(AF_INET, opt->host, &addr.sin_addr) != 1)
    return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      io_set_nonblocking(fd) != 0) {
    close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* All answered and our GOAWAY written; the peer's answer to it (or its
 * closing the socket) is waited for a little, not required. */
static int wound_down(const client *c, uint64_t now_ms) {
  if (!c->goaway_sent || (h2e_conn_want(c->io.conn) & H2E_WANT_WRITE))
    return 0;
  return now_ms - c->goaway_ms >= GOAWAY_GRACE_MS;
}

static void report_unfinished(client *c) {
  fail(c, NULL, "%ld of %ld requests submitted, %ld finished", c->submitted,
       c->total, c->finished);
  for (long i = 0, shown = 0; i < c->submitted && shown < 5; i++)
    if (!c->streams[i].done) {
      shown++;
      fprintf(stderr,
              "  stream %" PRIu32 " open: head %d, %" PRIu64
              " octets, end %d\n",
              c->streams[i].id, c->streams[i].head_seen, c->streams[i].received,
              c->streams[i].end_seen);
    }
}

static void run(client *c) {
  uint64_t end_ms = io_now_ms() + (uint64_t)c->opt->seconds * 1000u;
  for (;;) {
    uint64_t now = io_now_ms();
    io_tick(&c->io, now);
    io_step(&c->io, now);
    if (c->fatal || io_finished(&c->io) || wound_down(c, now))
      break;
    if (now >= end_ms) {
      fail(c, NULL, "timed out after %ld s", c->opt->seconds);
      break;
    }
    struct pollfd pfd = {c->io.fd, io_poll_events(&c->io), 0};
    if (poll(&pfd, 1, io_timeout(&c->io, now, POLL_CAP_MS)) < 0 &&
        errno != EINTR)
      break;
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
      io_read(&c->io);
  }
  if (c->io.stalled)
    fail(c, NULL, "the engine stalled (input left it will not take)");
  /* Even after the last response: a peer that resets the connection
   * instead of closing it saw something it did not like. */
  if (c->io.socket_error)
    fail(c, NULL, "socket: %s%s", strerror(c->io.socket_error),
         c->goaway_sent ? " [after our GOAWAY]" : "");
  if (c->finished < c->total)
    report_unfinished(c);
}

static int client_start(client *c) {
  for (int i = 0; i < c->opt->nspecs; i++)
    if (spec_parse(&c->specs[i], c->opt->specs[i]) != 0) {
      fprintf(stderr, "h2e-interop client: bad request spec (or file): %s\n",
              c->opt->specs[i]);
      return -1;
    }
  for (int i = 0; i < c->opt->npushes; i++)
    if (push_parse(&c->pushes[i], c->opt->pushes[i]) != 0) {
      fprintf(stderr, "h2e-interop client: bad --push (or file): %s\n",
              c->opt->pushes[i]);
      return -1;
    }
  int fd = connect_to(c->opt);
  if (fd < 0) {
    perror("h2e-interop client: connect");
    return -1;
  }
  h2e_config cfg;
  h2e_config_init(&cfg, H2E_CLIENT);
  cfg.max_concurrent_streams = (uint32_t)c->opt->concurrency;
  if (c->opt->tight)
    io_config_tight(&cfg);
  if (c->opt->window)
    cfg.initial_window_size = c->opt->window;
  if (c->opt->window > cfg.connection_window)
    cfg.connection_window = c->opt->window;
  cfg.enable_push = c->opt->npushes > 0;
  h2e_conn *conn = h2e_conn_new(&cfg, NULL, io_now_ms());
  if (conn == NULL) {
    close(fd);
    fprintf(stderr, "h2e-interop client: h2e_conn_new failed\n");
    return -1;
  }
  io_init(&c->io, fd, conn, client_event, client_work, c);
  return 0;
}

int client_run(const client_options *opt) {
  client c = {0};
  c.opt = opt;
  c.total = opt->repeat * opt->nspecs;
  c.specs = calloc((size_t)opt->nspecs, sizeof *c.specs);
  c.streams = calloc((size_t)c.total, sizeof *c.streams);
  c.pushes = calloc((size_t)opt->npushes + 1, sizeof *c.pushes);
  snprintf(c.authority, sizeof c.authority, "%s:%d",
           opt->authority ? opt->authority : opt->host, opt->port);
  signal(SIGPIPE, SIG_IGN);
  int status = 2;
  if (c.specs && c.streams && c.pushes && client_start(&c) == 0) {
    run(&c);
    pushes_check(&c);
    if (c.peak < opt->min_peak)
      fail(&c, NULL, "at most %ld streams were open at once, wanted %ld",
           c.peak, opt->min_peak);
    fprintf(stderr,
            "h2e-interop client: %ld requests, %ld failures, peak %ld "
            "concurrent streams, %" PRIu64 " octets in, %" PRIu64
            " out, %" PRIu64 " short recvs\n",
            c.finished, c.failures, c.peak, c.io.bytes_in, c.io.bytes_out,
            c.io.short_recvs);
    status = c.failures ? 1 : 0;
    h2e_conn_free(c.io.conn);
    close(c.io.fd);
  }
  for (int i = 0; c.specs && i < opt->nspecs; i++)
    spec_free(&c.specs[i]);
  for (int i = 0; c.pushes && i < opt->npushes; i++) {
    free(c.pushes[i].text);
    free(c.pushes[i].spec.expect_data);
  }
  free(c.specs);
  free(c.streams);
  free(c.pushes);
  return status;
}
