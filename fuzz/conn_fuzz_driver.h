/* The driver of the connection fuzz targets: a small interpreter whose
 * program is the fuzz input.
 *
 * Input: 8 configuration octets (the engine's h2e_config, the allocation
 * to refuse, how the application consumes DATA, the peer's opening),
 * then operations, each an opcode octet and its operands:
 *
 *   feed, events, output, pump        move octets and events around
 *   peer_*                            the peer writes input (raw or frames)
 *   submit_*, consume, query          the application acts
 *   tick                              time passes
 *
 * At the end the run drains what it can and frees the connection: the
 * allocator must then hold nothing (h2e_conn_free frees everything). */
#ifndef CONN_FUZZ_DRIVER_H
#define CONN_FUZZ_DRIVER_H

#include "conn_fuzz_app.h"

#define CF_OPS_MAX  4096
#define CF_FEED_MAX 65536
#define CF_VECS     16

/* ---- configuration ------------------------------------------------------ */

static void cf_configure(cf_run *r, const uint8_t c[8]) {
  static const uint32_t streams[8] = {100, 1, 2, 3, 10, 0, 256, 5};
  static const uint32_t windows[8] = {65535, 0,       1,          100,
                                      16384, 1 << 20, 0x7fffffff, 65536};
  static const uint32_t tables[8] = {4096, 0,     100,  256,
                                     8192, 65536, 4095, 4097};
  static const uint32_t lists[4] = {65536, 1024, 4096, 16384};
  static const uint32_t conn_windows[4] = {65535, 65536, 1 << 20, 0x7fffffff};
  static const uint32_t percents[4] = {50, 0, 1, 100};
  static const uint32_t outputs[4] = {65536, 1024, 4096, 20000};
  static const uint32_t small[4] = {64, 1, 2, 8};
  static const uint32_t pending[4] = {1024, 1, 4, 32};
  static const uint64_t settings_timeouts[4] = {10000, 0, 100, 1};
  static const uint64_t keepalives[4] = {0, 50, 1000, 1};
  static const uint64_t idles[4] = {0, 100, 5000, 1};
  h2e_config *cfg = &r->config;
  h2e_config_init(cfg, r->role);
  cfg->auto_consume = c[0] & 1;
  if (r->role == H2E_CLIENT)
    cfg->enable_push = (c[0] >> 3) & 1;
  cfg->max_frame_size = (c[0] & 0x80) ? 1u << 17 : H2E_MAX_FRAME_SIZE_MIN;
  cfg->max_concurrent_streams = streams[c[1] & 7];
  cfg->initial_window_size = windows[c[2] & 7];
  cfg->header_table_size = tables[c[3] & 7];
  cfg->max_header_list_size = lists[(c[3] >> 3) & 3];
  cfg->connection_window = conn_windows[c[4] & 3];
  cfg->window_update_percent = percents[(c[4] >> 2) & 3];
  cfg->output_buffer_size = outputs[(c[4] >> 4) & 3];
  if (c[0] & 0x10) {
    cfg->max_queued_control = small[c[5] & 3];
    cfg->max_events = small[(c[5] >> 2) & 3];
    cfg->max_pending_data = pending[(c[5] >> 4) & 3];
  }
  if (c[0] & 0x04) {
    cfg->settings_timeout_ms = settings_timeouts[c[6] & 3];
    cfg->keepalive_ms = keepalives[(c[6] >> 2) & 3];
    cfg->idle_timeout_ms = idles[(c[6] >> 4) & 3];
  }
  /* The HTTP layer's knobs (raw, lenient, cookies): bits left over. */
  cfg->http_flags = (uint32_t)(c[6] >> 6) | (uint32_t)(c[5] >> 6) << 2;
  r->auto_ack = (c[0] & 0x20) != 0;
  r->app.consume_mode = (uint8_t)((c[1] >> 3) % 3);
}

/* ---- moving octets ------------------------------------------------------ */

/* Feeds up to n pending peer octets (a copy of exactly that size, so ASan
 * sees reads beyond it, kept until the events that may point into it are
 * pulled). */
static void cf_feed(cf_run *r, size_t n) {
  cf_peer *p = &r->peer;
  if (n > cf_peer_pending(r))
    n = cf_peer_pending(r);
  if (n > CF_FEED_MAX) /* as a socket read would; copies stay cheap */
    n = CF_FEED_MAX;
  if (r->app.chunk_count == CF_CHUNKS_MAX)
    cf_app_pull(r, SIZE_MAX);
  if (r->app.chunk_count == CF_CHUNKS_MAX)
    return; /* events left: the engine keeps the input paused */
  /* (An empty input is passed as a real pointer: NULL with 0 octets is
   * tests/test_conn_regressions.c's business.) */
  uint8_t *chunk = malloc(n ? n : 1);
  if (chunk == NULL)
    abort();
  if (n)
    memcpy(chunk, p->buf + p->head, n);
  ptrdiff_t rc = h2e_conn_recv(r->conn, chunk, n, r->now_ms);
  CF_TRACE(r, "  recv %zu -> %td\n", n, rc);
  r->app.chunks[r->app.chunk_count++] = chunk;
  if (rc < 0) {
    CF_CHECK(rc == H2E_ERR_CONN_CLOSED ||
                 (rc == H2E_ERR_NOT_HTTP2 && r->role == H2E_SERVER &&
                  r->mirror.preface_left == 24),
             "recv_rc");
    return;
  }
  CF_CHECK((size_t)rc <= n, "recv_consumed");
  /* Input the engine wants but does not take would stall an adapter. */
  if (rc == 0 && n > 0 && r->mirror.preface_left == 0)
    CF_CHECK(!(h2e_conn_want(r->conn) & H2E_WANT_READ), "recv_progress");
  if (rc == 0)
    return;
  cf_mirror_feed(r, chunk, (size_t)rc);
  p->head += (size_t)rc;
}

static void cf_feed_all(cf_run *r) {
  for (int i = 0; i < 64 && cf_peer_pending(r) > 0; i++) {
    size_t before = cf_peer_pending(r);
    cf_feed(r, before);
    cf_app_pull(r, SIZE_MAX);
    if (cf_peer_pending(r) == before)
      break;
  }
}

/* Octets of a file vec: the body pattern of the stream its fd names. */
static void cf_file_octets(cf_run *r, const h2e_output_vec *v, size_t n) {
  uint8_t buf[4096];
  CF_CHECK(v->base == NULL && v->fd >= 0, "file_vec");
  for (size_t done = 0; done < n;) {
    size_t k = n - done < sizeof buf ? n - done : sizeof buf;
    cf_pattern_fill(buf, k, (uint32_t)v->fd, v->offset + done);
    cf_wire_push(r, buf, k);
    done += k;
  }
}

static int cf_vecs_equal(const h2e_output_vec *a, const h2e_output_vec *b,
                         size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i].base != b[i].base || a[i].len != b[i].len || a[i].fd != b[i].fd ||
        a[i].offset != b[i].offset)
      return 0;
  return 1;
}

/* One h2e_conn_output; the caller "writes" eighths/8 of it. */
static size_t cf_output(cf_run *r, size_t max, unsigned eighths, int again) {
  h2e_output_vec vecs[CF_VECS], vecs2[CF_VECS];
  size_t n = h2e_conn_output(r->conn, vecs, max);
  CF_CHECK(n <= max, "output_vec_count");
  if (again) { /* h2e.h: without output_done, the same bytes again */
    size_t n2 = h2e_conn_output(r->conn, vecs2, max);
    CF_TRACE(r, "  output max %zu: %zu vecs, again %zu vecs\n", max, n, n2);
    for (size_t i = 0; r->trace && i < n2; i++)
      CF_TRACE(r, "    vec %zu: %zu / %zu octets\n", i, i < n ? vecs[i].len : 0,
               vecs2[i].len);
    CF_CHECK(n2 == n && cf_vecs_equal(vecs, vecs2, n), "output_repeatable");
    /* Whatever else, what was handed out may not change. */
    CF_CHECK(n2 >= n && cf_vecs_equal(vecs, vecs2, n), "output_prefix_stable");
  }
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += vecs[i].len;
  size_t written = eighths >= 8 ? total : total / 8 * eighths;
  size_t left = written;
  for (size_t i = 0; i < n && left > 0; i++) {
    size_t k = vecs[i].len < left ? vecs[i].len : left;
    if (vecs[i].fd == -1)
      cf_wire_push(r, vecs[i].base, k);
    else
      cf_file_octets(r, &vecs[i], k);
    left -= k;
  }
  h2e_conn_output_done(r->conn, written);
  cf_wire_parse(r);
  return written;
}

static void cf_output_all(cf_run *r) {
  for (int i = 0; i < 256; i++)
    if (cf_output(r, CF_VECS, 8, 0) == 0)
      break;
}

/* Everything both ways until quiet (or rounds run out). */
static void cf_pump(cf_run *r, unsigned rounds) {
  for (unsigned i = 0; i < rounds; i++) {
    cf_output_all(r);
    if (r->auto_ack)
      cf_peer_acknowledge(r);
    cf_feed_all(r);
    cf_app_pull(r, SIZE_MAX);
    if (cf_peer_pending(r) == 0 && !(h2e_conn_want(r->conn) & H2E_WANT_WRITE))
      break;
  }
}

static void cf_tick(cf_run *r, uint8_t choice) {
  static const uint64_t steps[8] = {0, 1, 10, 100, 1000, 10000, 60000, 0};
  if ((choice & 7) == 7) {
    uint64_t deadline = h2e_conn_deadline(r->conn);
    if (deadline != UINT64_MAX && deadline > r->now_ms)
      r->now_ms = deadline;
  } else {
    r->now_ms += steps[choice & 7];
  }
  int writing = (h2e_conn_want(r->conn) & H2E_WANT_WRITE) != 0;
  int acted = h2e_conn_tick(r->conn, r->now_ms);
  /* A tick that says it queued nothing sends nothing. */
  if (!acted && !writing)
    CF_CHECK(!(h2e_conn_want(r->conn) & H2E_WANT_WRITE), "quiet_tick_wrote");
  /* A deadline already due after tick would make an event loop spin. */
  if (!(h2e_conn_want(r->conn) & H2E_CLOSED))
    CF_CHECK(h2e_conn_deadline(r->conn) > r->now_ms, "deadline_after_tick");
}

/* ---- the interpreter ---------------------------------------------------- */

static void cf_op_feed(cf_run *r) {
  static const size_t sizes[8] = {SIZE_MAX, 1, 2, 9, 10, 100, 1000, 16384};
  uint8_t choice = fuzz_byte(&r->in);
  cf_feed(r, sizes[choice & 7]);
}

static void cf_op_events(cf_run *r) {
  uint8_t choice = fuzz_byte(&r->in);
  cf_app_pull(r, (choice & 0x80) ? SIZE_MAX : (size_t)(choice & 7) + 1);
}

static void cf_op_output(cf_run *r) {
  uint8_t a = fuzz_byte(&r->in);
  cf_output(r, (size_t)(a & 15) + 1, (a >> 4) & 15, (a & 0x80) != 0);
}

static void cf_op_pump(cf_run *r) {
  cf_pump(r, (fuzz_byte(&r->in) & 7) + 1u);
}

static void cf_op_ack(cf_run *r) {
  cf_peer_acknowledge(r);
}

static void cf_op_tick(cf_run *r) {
  cf_tick(r, fuzz_byte(&r->in));
}

typedef void (*cf_op)(cf_run *r);

static const cf_op cf_ops[] = {
    cf_op_feed,
    cf_op_events,
    cf_op_output,
    cf_op_pump,
    cf_peer_raw,
    cf_peer_settings,
    cf_peer_headers,
    cf_peer_data,
    cf_peer_window_update,
    cf_peer_rst,
    cf_peer_ping,
    cf_peer_goaway,
    cf_peer_misc,
    cf_op_ack,
    cf_app_submit_headers,
    cf_app_submit_data,
    cf_app_submit_rst,
    cf_app_submit_ping,
    cf_app_submit_goaway,
    cf_app_submit_settings,
    cf_app_consume_op,
    cf_op_tick,
    cf_app_query,
    cf_peer_push_promise,
    cf_app_submit_push,
};

/* ---- one run ------------------------------------------------------------ */

static void cf_run_free(cf_run *r) {
  cf_app_free(r);
  cf_peer_free(r);
  cf_wire_free(r);
}

static void cf_fuzz_one(const uint8_t *data, size_t size, h2e_role role) {
  static cf_run *run; /* process-long, reused by every run */
  if (run == NULL && (run = malloc(sizeof *run)) == NULL)
    abort();
  cf_run *r = run;
  memset(r, 0, sizeof *r);
  r->role = role;
  r->trace = getenv("CONN_FUZZ_TRACE") != NULL;
  r->in = (fuzz_input){data, size};
  uint8_t c[8];
  for (int i = 0; i < 8; i++)
    c[i] = fuzz_byte(&r->in);
  cf_app_init(r);
  cf_configure(r, c);
  r->now_ms = 1000;
  size_t limit = h2e_conn_memsize_max(&r->config);
  CF_CHECK(limit > 0, "memsize_max_valid");
  r->allocator = cf_budget_allocator(&r->budget, limit,
                                     (c[0] & 0x40) ? (uint64_t)c[7] + 1 : 0);
  cf_streams_init(&r->streams);
  cf_mirror_init(r);
  cf_wire_init(r);
  cf_peer_init(r);
  r->budget.in_new = 1;
  r->conn = h2e_conn_new(&r->config, &r->allocator, r->now_ms);
  r->budget.in_new = 0;
  CF_CHECK(r->conn != NULL || r->budget.fail_at != 0, "conn_new");
  if (r->conn != NULL) {
    if (!(c[0] & 0x02))
      cf_peer_opening(r, c[2] >> 3);
    for (size_t ops = 0; r->in.len > 0 && ops < CF_OPS_MAX; ops++) {
      uint8_t op = fuzz_byte(&r->in) % CF_COUNT(cf_ops);
      CF_TRACE(r, "op %u (%zu input octets left)\n", op, r->in.len);
      cf_ops[op](r);
    }
    cf_pump(r, 4);
    h2e_conn_free(r->conn);
  }
  /* Everything the engine took is given back. */
  CF_CHECK(r->budget.live_bytes == 0 && r->budget.live_blocks == 0,
           "all_freed");
  cf_run_free(r);
}

#endif
