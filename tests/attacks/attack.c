#include "attack.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#define SCRATCH_CAP (1u << 20)
#define OUTPUT_VECS 16
#define READER_BUF  16384
#define FEED_ROUNDS 4

static const uint8_t client_preface[24] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void *count_alloc(void *ctx, size_t size) {
  attack_memory *m = ctx;
  m->current += size;
  if (m->current > m->peak)
    m->peak = m->current;
  m->allocs++;
  return malloc(size);
}

static void count_free(void *ctx, void *ptr, size_t size) {
  attack_memory *m = ctx;
  m->current -= size;
  free(ptr);
}

static void record_frame(attack *a, const h2e_frame *frame) {
  a->frames_by_type[frame->hd.type]++;
  if (frame->hd.type == H2E_FRAME_GOAWAY) {
    a->goaway_seen = 1;
    a->goaway_code = frame->u.goaway.error_code;
  } else if (frame->hd.type == H2E_FRAME_RST_STREAM) {
    a->rst_sent++;
    a->last_rst_code = frame->u.rst_stream.error_code;
  }
}

/* Everything the engine writes must parse as frames (RFC 9113 §4). */
static void parse_output(attack *a, const uint8_t *bytes, size_t len) {
  while (len > 0) {
    size_t used = 0;
    h2e_frame frame;
    h2e_frame_error err;
    int rc = h2e_frame_read(&a->reader, bytes, len, &used, &frame, &err);
    assert_true(rc >= 0);
    if (rc == 1)
      record_frame(a, &frame);
    bytes += used, len -= used;
  }
}

void attack_drain(attack *a) {
  h2e_output_vec vecs[OUTPUT_VECS];
  size_t n;
  while ((n = h2e_conn_output(a->conn, vecs, OUTPUT_VECS)) > 0) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      assert_int_equal(vecs[i].fd, -1);
      parse_output(a, vecs[i].base, vecs[i].len);
      total += vecs[i].len;
    }
    a->out_octets += total;
    h2e_conn_output_done(a->conn, total);
  }
}

static const h2e_field no_content[] = {ATTACK_FIELD(":status", "204")};

void attack_pull(attack *a) {
  h2e_event ev;
  while (h2e_conn_next_event(a->conn, &ev)) {
    a->events++;
    if (ev.type == H2E_EV_STREAM_RESET)
      a->resets_seen++;
    else if (ev.type == H2E_EV_CONN_ERROR) {
      a->conn_error_seen = 1;
      a->conn_error_code = ev.u.conn_error.error_code;
    } else if (ev.type == H2E_EV_DATA) {
      h2e_consume(a->conn, ev.stream_id, ev.u.data.len);
    } else if (ev.type == H2E_EV_HEADERS && ev.u.headers.end_stream &&
               a->answers) {
      a->requests_seen++;
      h2e_submit_headers(a->conn, ev.stream_id, no_content, 1, H2E_END_STREAM);
    } else if (ev.type == H2E_EV_HEADERS) {
      a->requests_seen++;
    }
  }
}

size_t attack_feed(attack *a, const uint8_t *bytes, size_t len) {
  size_t taken = 0;
  a->offered += len;
  /* An adapter offers the rest again after pulling and draining; once
   * nothing moves for a few rounds the engine is pushing back. */
  for (int idle = 0; taken < len && idle < FEED_ROUNDS;) {
    ptrdiff_t rc =
        h2e_conn_recv(a->conn, bytes + taken, len - taken, a->now_ms);
    if (rc < 0)
      break;
    taken += (size_t)rc;
    idle = rc == 0 ? idle + 1 : 0;
    if (a->pulls_events)
      attack_pull(a);
    if (a->reads_output)
      attack_drain(a);
  }
  a->accepted += taken;
  return taken;
}

size_t attack_frame(attack *a, uint8_t type, uint8_t flags, uint32_t stream_id,
                    const void *payload, size_t len) {
  assert_true(len + H2E_FRAME_HEADER_LEN <= a->scratch_cap);
  uint8_t *frame = malloc(H2E_FRAME_HEADER_LEN + len);
  assert_non_null(frame);
  h2e_frame_write_header(frame, (uint32_t)len, type, flags, stream_id);
  if (len)
    memcpy(frame + H2E_FRAME_HEADER_LEN, payload, len);
  size_t taken = attack_feed(a, frame, H2E_FRAME_HEADER_LEN + len);
  free(frame);
  return taken;
}

size_t attack_encode(attack *a, const h2e_field *fields, size_t count) {
  ptrdiff_t len =
      h2e_hpack_encode(a->encoder, fields, count, a->scratch, a->scratch_cap);
  assert_true(len >= 0);
  return (size_t)len;
}

static const h2e_field request_fields[] = {
    ATTACK_FIELD(":method", "GET"), ATTACK_FIELD(":scheme", "https"),
    ATTACK_FIELD(":authority", "example.com"), ATTACK_FIELD(":path", "/")};

uint32_t attack_request(attack *a, uint32_t stream_id, uint8_t flags) {
  if (stream_id == 0) {
    stream_id = a->next_stream_id;
    a->next_stream_id += 2;
  }
  size_t len = attack_encode(a, request_fields, 4);
  uint8_t *block = malloc(len);
  assert_non_null(block);
  memcpy(block, a->scratch, len);
  attack_frame(a, H2E_FRAME_HEADERS, (uint8_t)(flags | H2E_FLAG_END_HEADERS),
               stream_id, block, len);
  free(block);
  return stream_id;
}

void attack_tick(attack *a, uint64_t ms) {
  a->now_ms += ms;
  h2e_conn_tick(a->conn, a->now_ms);
  if (a->pulls_events)
    attack_pull(a);
  if (a->reads_output)
    attack_drain(a);
}

int attack_goaway_with(const attack *a, uint32_t code) {
  return a->goaway_seen && a->goaway_code == code;
}

attack *attack_start(const h2e_config *config) {
  attack *a = calloc(1, sizeof *a);
  assert_non_null(a);
  if (config)
    a->config = *config;
  else
    h2e_config_init(&a->config, H2E_SERVER);
  a->allocator = (h2e_allocator){count_alloc, count_free, &a->memory};
  a->reads_output = a->pulls_events = a->answers = 1;
  a->next_stream_id = 1;
  a->now_ms = 1000;
  a->conn = h2e_conn_new(&a->config, &a->allocator, a->now_ms);
  assert_non_null(a->conn);
  a->reader_buf = malloc(READER_BUF);
  a->scratch = malloc(SCRATCH_CAP);
  a->scratch_cap = SCRATCH_CAP;
  assert_non_null(a->reader_buf);
  assert_non_null(a->scratch);
  assert_int_equal(
      h2e_frame_reader_init(&a->reader, a->reader_buf, READER_BUF, 16384, 0),
      0);
  h2e_hpack_encoder_config enc;
  h2e_hpack_encoder_config_init(&enc);
  a->encoder = h2e_hpack_encoder_new(&enc, NULL);
  assert_non_null(a->encoder);
  attack_feed(a, client_preface, sizeof client_preface);
  attack_frame(a, H2E_FRAME_SETTINGS, 0, 0, NULL, 0);
  attack_frame(a, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, NULL, 0);
  assert_false(a->goaway_seen);
  a->offered = a->accepted = a->events = a->out_octets = 0;
  memset(a->frames_by_type, 0, sizeof a->frames_by_type);
  return a;
}

void attack_free(attack *a) {
  h2e_conn_free(a->conn);
  assert_int_equal(a->memory.current, 0);
  h2e_hpack_encoder_free(a->encoder);
  free(a->reader_buf);
  free(a->scratch);
  free(a);
}
