/* h2e-bench frames: a server receiving requests, h2e against libnghttp2.
 *
 * One client byte stream is synthesized up front: the preface, SETTINGS,
 * a connection WINDOW_UPDATE (the client's own receive window), then per
 * request a HEADERS block of 8 typical request fields and one DATA frame
 * with END_STREAM. The blocks are HPACK-encoded in order by one real
 * encoder (libnghttp2's deflater, table 4096), so later blocks use the
 * dynamic table as a real client's do; only :path changes.
 *
 * Flow control: each body fits the 65535-octet stream window, and both
 * servers open their connection window to 2^31-1 at start (h2e:
 * config.connection_window; nghttp2: set_local_window_size), which the
 * whole stream stays within, so the client never waits for credit and
 * both engines see exactly the same valid bytes. Both return credit on
 * their own (h2e auto_consume, nghttp2's automatic WINDOW_UPDATE).
 *
 * A pass creates a server, feeds the stream in 16 KiB chunks, pulls events
 * (h2e) or takes callbacks (nghttp2), answers each finished stream with
 * RST_STREAM(NO_ERROR), and gathers and discards the output after every
 * chunk. Every pass is checked: all requests complete, every DATA octet
 * arrives, no stream or connection error.
 *
 *   frames-recv: 1 KiB bodies; req/s.
 *   frames-bulk: 16 KiB bodies (one DATA frame each); MB/s of DATA payload.
 *
 * Each figure is the median of --reps repetitions (h2e's and nghttp2's in
 * turn), a repetition being as many passes as last --min-time seconds.
 *
 * usage: h2e-bench frames [--reps N] [--min-time SECONDS] [--requests N]
 *                         [--bulk-requests N] [--case recv|bulk]
 *                         [--only h2e|nghttp2]
 * (--case and --only run part of it, for a profiler, without the report.)
 */
#include "bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "h2e.h"

#define CHUNK_SIZE       16384
#define DEFAULT_REPS     7
#define DEFAULT_MIN_TIME 0.25
#define CONN_WINDOW      0x7fffffff
#define OUTPUT_VECS      16
/* Requests per pass: streams of 21 MB and 66 MB, far more than one
 * connection's setup costs, and larger than the caches, so every pass
 * reads its input from memory (--requests 1000 keeps the small case in
 * cache, as freshly received socket data would be). */
#define DEFAULT_REQUESTS      20000
#define DEFAULT_BULK_REQUESTS 4000

typedef struct frames_case {
  const char *name;
  size_t requests;
  size_t body_len;
  uint8_t *stream; /* the client's bytes */
  size_t stream_len;
} frames_case;

/* What a pass saw; checked against the case after every pass. */
typedef struct pass_result {
  size_t completed;
  uint64_t data_bytes;
  size_t errors;
} pass_result;

static void die(const char *what) {
  fprintf(stderr, "h2e-bench frames: %s\n", what);
  exit(1);
}

/* ---- the client byte stream -----------------------------------------------
 */

typedef struct byte_buf {
  uint8_t *data;
  size_t len, cap;
} byte_buf;

static uint8_t *buf_room(byte_buf *b, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->data = realloc(b->data, b->cap);
    if (b->data == NULL)
      die("out of memory");
  }
  return b->data + b->len;
}

static void put_frame_header(byte_buf *b, size_t len, uint8_t type,
                             uint8_t flags, uint32_t stream_id) {
  h2e_frame_write_header(buf_room(b, H2E_FRAME_HEADER_LEN), (uint32_t)len, type,
                         flags, stream_id);
  b->len += H2E_FRAME_HEADER_LEN;
}

static void put_bytes(byte_buf *b, const void *p, size_t n) {
  memcpy(buf_room(b, n), p, n);
  b->len += n;
}

static void put_opening(byte_buf *b) {
  static const h2e_setting settings[3] = {
      {H2E_SETTINGS_ENABLE_PUSH, 0},
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20}};
  put_bytes(b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
  size_t n = (size_t)h2e_frame_write_settings(settings, 3, 0, buf_room(b, 64),
                                              64, NULL);
  b->len += n;
  static const uint8_t increment[4] = {0x00, 0xf0, 0x00, 0x00};
  put_frame_header(b, 4, H2E_FRAME_WINDOW_UPDATE, 0, 0);
  put_bytes(b, increment, 4);
}

#define NV(name, value)                                                        \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1,                   \
        sizeof(value) - 1, NGHTTP2_NV_FLAG_NONE                                \
  }

static void put_request(byte_buf *b, nghttp2_hd_deflater *deflater,
                        uint32_t stream_id, size_t n, const uint8_t *body,
                        size_t body_len) {
  char path[32];
  int path_len = snprintf(path, sizeof path, "/api/items/%zu", n);
  nghttp2_nv nva[8] = {
      NV(":method", "POST"),
      NV(":scheme", "https"),
      NV(":path", ""),
      NV(":authority", "example.com"),
      NV("user-agent", "h2e-bench/0.1 (like curl/8.5.0)"),
      NV("accept", "application/json, text/plain, */*"),
      NV("accept-encoding", "gzip, deflate, br"),
      NV("content-type", "application/json"),
  };
  nva[2].value = (uint8_t *)path;
  nva[2].valuelen = (size_t)path_len;
  size_t bound = nghttp2_hd_deflate_bound(deflater, nva, 8);
  uint8_t *block = buf_room(b, H2E_FRAME_HEADER_LEN + bound);
  ssize_t len = nghttp2_hd_deflate_hd(deflater, block + H2E_FRAME_HEADER_LEN,
                                      bound, nva, 8);
  if (len < 0)
    die("nghttp2_hd_deflate_hd failed");
  h2e_frame_write_header(block, (uint32_t)len, H2E_FRAME_HEADERS,
                         H2E_FLAG_END_HEADERS, stream_id);
  b->len += H2E_FRAME_HEADER_LEN + (size_t)len;
  put_frame_header(b, body_len, H2E_FRAME_DATA, H2E_FLAG_END_STREAM, stream_id);
  put_bytes(b, body, body_len);
}

static void build_stream(frames_case *c) {
  byte_buf b = {0};
  uint8_t *body = malloc(c->body_len);
  nghttp2_hd_deflater *deflater = NULL;
  if (body == NULL || nghttp2_hd_deflate_new(&deflater, 4096) != 0)
    die("setup failed");
  for (size_t i = 0; i < c->body_len; i++)
    body[i] = (uint8_t)('a' + i % 26);
  put_opening(&b);
  for (size_t n = 0; n < c->requests; n++)
    put_request(&b, deflater, (uint32_t)(2 * n + 1), n, body, c->body_len);
  nghttp2_hd_deflate_del(deflater);
  free(body);
  c->stream = b.data;
  c->stream_len = b.len;
}

/* ---- h2e ------------------------------------------------------------------
 */

static void h2e_handle_event(h2e_conn *conn, const h2e_event *ev,
                             pass_result *res) {
  int end_stream = 0;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    end_stream = ev->u.headers.end_stream;
    break;
  case H2E_EV_DATA:
    res->data_bytes += ev->u.data.len;
    end_stream = ev->u.data.end_stream;
    break;
  case H2E_EV_STREAM_RESET:
  case H2E_EV_CONN_ERROR:
  case H2E_EV_GOAWAY:
    res->errors++;
    break;
  default:
    break;
  }
  if (end_stream) {
    if (h2e_submit_rst_stream(conn, ev->stream_id, H2E_NO_ERROR) != H2E_OK)
      res->errors++;
    res->completed++;
  }
}

/* Gathers the output and throws it away, as if written at once. */
static void h2e_drain_output(h2e_conn *conn) {
  h2e_output_vec vecs[OUTPUT_VECS];
  size_t n;
  while ((n = h2e_conn_output(conn, vecs, OUTPUT_VECS)) > 0) {
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
      bytes += vecs[i].len;
    h2e_conn_output_done(conn, bytes);
  }
}

static void h2e_feed_chunk(h2e_conn *conn, const uint8_t *chunk, size_t len,
                           pass_result *res) {
  for (size_t done = 0; done < len;) {
    ptrdiff_t used = h2e_conn_recv(conn, chunk + done, len - done, 0);
    if (used < 0)
      die("h2e_conn_recv failed");
    done += (size_t)used;
    h2e_event ev;
    int events = 0;
    while (h2e_conn_next_event(conn, &ev) == 1) {
      h2e_handle_event(conn, &ev, res);
      events = 1;
    }
    h2e_drain_output(conn);
    if (used == 0 && !events)
      die("h2e stalled");
  }
}

static void h2e_pass(const frames_case *c, pass_result *res) {
  h2e_config config;
  h2e_config_init(&config, H2E_SERVER);
  config.connection_window = CONN_WINDOW;
  config.auto_consume = 1;
  h2e_conn *conn = h2e_conn_new(&config, NULL, 0);
  if (conn == NULL)
    die("h2e_conn_new failed");
  h2e_drain_output(conn);
  for (size_t pos = 0; pos < c->stream_len; pos += CHUNK_SIZE) {
    size_t len =
        c->stream_len - pos < CHUNK_SIZE ? c->stream_len - pos : CHUNK_SIZE;
    h2e_feed_chunk(conn, c->stream + pos, len, res);
  }
  h2e_conn_free(conn);
}

/* ---- nghttp2 --------------------------------------------------------------
 */

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame,
                         void *user_data) {
  pass_result *res = user_data;
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    if (nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE,
                                  frame->hd.stream_id, NGHTTP2_NO_ERROR) != 0)
      res->errors++;
    res->completed++;
  }
  if (frame->hd.type == NGHTTP2_GOAWAY || frame->hd.type == NGHTTP2_RST_STREAM)
    res->errors++;
  return 0;
}

static int on_data_chunk_recv(nghttp2_session *session, uint8_t flags,
                              int32_t stream_id, const uint8_t *data,
                              size_t len, void *user_data) {
  pass_result *res = user_data;
  (void)session, (void)flags, (void)stream_id, (void)data;
  res->data_bytes += len;
  return 0;
}

static int on_invalid_frame_recv(nghttp2_session *session,
                                 const nghttp2_frame *frame, int error_code,
                                 void *user_data) {
  pass_result *res = user_data;
  (void)session, (void)frame, (void)error_code;
  res->errors++;
  return 0;
}

static void nghttp2_drain_output(nghttp2_session *session) {
  const uint8_t *data;
  ssize_t n;
  while ((n = nghttp2_session_mem_send(session, &data)) > 0)
    ;
  if (n < 0)
    die("nghttp2_session_mem_send failed");
}

static nghttp2_session *nghttp2_server(nghttp2_session_callbacks *callbacks,
                                       pass_result *res) {
  nghttp2_session *session;
  if (nghttp2_session_server_new(&session, callbacks, res) != 0)
    die("nghttp2_session_server_new failed");
  nghttp2_settings_entry settings[1] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 1) != 0 ||
      nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0,
                                            CONN_WINDOW) != 0)
    die("nghttp2 setup failed");
  return session;
}

static void nghttp2_pass(const frames_case *c, pass_result *res) {
  nghttp2_session_callbacks *callbacks;
  if (nghttp2_session_callbacks_new(&callbacks) != 0)
    die("nghttp2_session_callbacks_new failed");
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                            on_data_chunk_recv);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
      callbacks, on_invalid_frame_recv);
  nghttp2_session *session = nghttp2_server(callbacks, res);
  nghttp2_drain_output(session);
  for (size_t pos = 0; pos < c->stream_len; pos += CHUNK_SIZE) {
    size_t len =
        c->stream_len - pos < CHUNK_SIZE ? c->stream_len - pos : CHUNK_SIZE;
    if (nghttp2_session_mem_recv(session, c->stream + pos, len) != (ssize_t)len)
      die("nghttp2_session_mem_recv failed");
    nghttp2_drain_output(session);
  }
  if (!nghttp2_session_want_read(session))
    res->errors++; /* the session ended itself: a connection error */
  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
}

/* ---- measurement ----------------------------------------------------------
 */

typedef void pass_fn(const frames_case *c, pass_result *res);

typedef struct contender {
  const char *name;
  pass_fn *run;
  size_t passes; /* per repetition */
  double *samples;
  double median; /* seconds per pass */
} contender;

typedef struct bench_options {
  size_t reps;
  double min_time;
  size_t requests[2];    /* per pass: recv, bulk */
  const char *only_case; /* NULL: both cases */
  const char *only_side; /* NULL: both sides, and the report lines */
} bench_options;

static void run_checked(const contender *side, const frames_case *c) {
  pass_result res = {0, 0, 0};
  side->run(c, &res);
  if (res.completed != c->requests ||
      res.data_bytes != (uint64_t)c->requests * c->body_len ||
      res.errors != 0) {
    fprintf(stderr,
            "h2e-bench frames: %s %s: %zu of %zu requests, %llu data octets, "
            "%zu errors\n",
            side->name, c->name, res.completed, c->requests,
            (unsigned long long)res.data_bytes, res.errors);
    exit(1);
  }
}

static void calibrate(contender *side, const frames_case *c,
                      const bench_options *options) {
  double start = bench_now();
  run_checked(side, c); /* also the warm-up */
  double once = bench_now() - start;
  side->passes = (size_t)(options->min_time / (once > 1e-9 ? once : 1e-9)) + 1;
  side->samples = calloc(options->reps, sizeof *side->samples);
  if (side->samples == NULL)
    die("out of memory");
}

static void time_repetition(contender *side, const frames_case *c, size_t rep) {
  double start = bench_now();
  for (size_t p = 0; p < side->passes; p++)
    run_checked(side, c);
  side->samples[rep] = (bench_now() - start) / (double)side->passes;
}

/* Both sides, repetitions interleaved so machine load weighs on both;
 * with --only, one side alone (for a profiler). */
static void compare(const frames_case *c, contender *h2e, contender *ng,
                    const bench_options *options) {
  contender *sides[2] = {h2e, ng};
  for (size_t i = 0; i < 2; i++) {
    if (options->only_side && strcmp(options->only_side, sides[i]->name) != 0)
      continue;
    calibrate(sides[i], c, options);
    sides[i]->median = 1;
  }
  for (size_t r = 0; r < options->reps; r++)
    for (size_t i = 0; i < 2; i++)
      if (sides[i]->samples)
        time_repetition(sides[i], c, r);
  for (size_t i = 0; i < 2; i++) {
    if (sides[i]->samples)
      sides[i]->median = bench_median(sides[i]->samples, options->reps);
    free(sides[i]->samples);
  }
}

static int parse_options(int argc, char **argv, bench_options *options) {
  memset(options, 0, sizeof *options);
  options->reps = DEFAULT_REPS;
  options->min_time = DEFAULT_MIN_TIME;
  options->requests[0] = DEFAULT_REQUESTS;
  options->requests[1] = DEFAULT_BULK_REQUESTS;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
      options->reps = (size_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--min-time") == 0 && i + 1 < argc)
      options->min_time = strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
      options->requests[0] = (size_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--bulk-requests") == 0 && i + 1 < argc)
      options->requests[1] = (size_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc)
      options->only_case = argv[++i];
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      options->only_side = argv[++i];
    else
      return -1;
  }
  return options->reps >= 5 && options->requests[0] > 0 &&
                 options->requests[1] > 0
             ? 0
             : -1;
}

int bench_frames(int argc, char **argv) {
  bench_options options;
  if (parse_options(argc, argv, &options) != 0) {
    fprintf(stderr, "usage: h2e-bench frames [--reps N (>= 5)] [--min-time S] "
                    "[--requests N] [--bulk-requests N] [--case recv|bulk] "
                    "[--only h2e|nghttp2]\n");
    return 2;
  }
  frames_case cases[2] = {{"recv", options.requests[0], 1024, NULL, 0},
                          {"bulk", options.requests[1], 16384, NULL, 0}};
  double h2e_rate[2], ng_rate[2];
  for (size_t i = 0; i < 2; i++) {
    frames_case *c = &cases[i];
    h2e_rate[i] = ng_rate[i] = 0;
    if (options.only_case && strcmp(options.only_case, c->name) != 0)
      continue;
    build_stream(c);
    contender h2e = {"h2e", h2e_pass, 0, NULL, 0};
    contender ng = {"nghttp2", nghttp2_pass, 0, NULL, 0};
    compare(c, &h2e, &ng, &options);
    printf("frames %s: %zu requests, %zu-octet bodies, %zu stream octets; "
           "median of %zu (h2e %zu, nghttp2 %zu passes each): h2e %.3f ms, "
           "nghttp2 %.3f ms per pass\n",
           c->name, c->requests, c->body_len, c->stream_len, options.reps,
           h2e.passes, ng.passes, h2e.median * 1e3, ng.median * 1e3);
    double units = i == 0 ? (double)c->requests
                          : (double)c->requests * (double)c->body_len / 1e6;
    h2e_rate[i] = units / h2e.median;
    ng_rate[i] = units / ng.median;
    free(c->stream);
  }
  if (options.only_case || options.only_side)
    return 0; /* a partial run: no comparison */
  printf("frames-recv: h2e %.0f req/s, nghttp2 %.0f req/s, ratio %.2f\n",
         h2e_rate[0], ng_rate[0], h2e_rate[0] / ng_rate[0]);
  printf("frames-bulk: h2e %.1f MB/s, nghttp2 %.1f MB/s, ratio %.2f\n",
         h2e_rate[1], ng_rate[1], h2e_rate[1] / ng_rate[1]);
  return 0;
}
