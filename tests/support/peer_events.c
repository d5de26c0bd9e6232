/* The scripted peer: the engine's events, errors and liveness (see
 * peer.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer_internal.h"

/* ---- events -------------------------------------------------------------- */

int peer_next_event(peer *p, h2e_event *ev) {
  if (p->has_held_event) {
    *ev = p->held_event;
    p->has_held_event = 0;
    return 1;
  }
  memset(ev, 0, sizeof *ev);
  return h2e_conn_next_event(p->conn, ev);
}

size_t peer_skip_events(peer *p, h2e_event_type type) {
  size_t skipped = 0;
  h2e_event ev;
  while (peer_next_event(p, &ev)) {
    if (ev.type != type) {
      p->held_event = ev;
      p->has_held_event = 1;
      break;
    }
    skipped++;
  }
  return skipped;
}

/* h2e.h does not say which stream a DATA_SENT names (its cookie is what
 * identifies the buffer), so those match on type alone. */
static int stream_matches(const h2e_event *ev, uint32_t stream_id) {
  return ev->type == H2E_EV_DATA_SENT || ev->stream_id == stream_id;
}

void peer_fail_event(const h2e_event *got, const char *what, const char *file,
                     int line) {
  char text[512];
  peer_describe_event(got, text, sizeof text);
  peer_fail_at(file, line, "expected event %s, got %s", what, text);
}

h2e_event peer_expect_event_at(peer *p, h2e_event_type type, uint32_t stream_id,
                               const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "%s on stream %u", peer_event_name(type),
           stream_id);
  h2e_event ev;
  if (!peer_next_event(p, &ev))
    peer_fail_at(file, line, "expected event %s, but no event is waiting",
                 what);
  if (ev.type != type || !stream_matches(&ev, stream_id))
    peer_fail_event(&ev, what, file, line);
  return ev;
}

void peer_expect_no_event_at(peer *p, const char *file, int line) {
  h2e_event ev;
  if (peer_next_event(p, &ev))
    peer_fail_event(&ev, "none", file, line);
}

void peer_expect_event_set_at(peer *p, const peer_event_want *wants,
                              size_t count, const char *file, int line) {
  uint8_t seen[32] = {0};
  assert_true(count <= 32);
  for (size_t n = 0; n < count; n++) {
    h2e_event ev;
    if (!peer_next_event(p, &ev))
      peer_fail_at(file, line,
                   "expected %zu more events of a set, but no event "
                   "is waiting",
                   count - n);
    size_t i = 0;
    while (i < count && (seen[i] || wants[i].type != ev.type ||
                         !stream_matches(&ev, wants[i].stream_id)))
      i++;
    if (i == count)
      peer_fail_event(&ev, "one of the expected set", file, line);
    seen[i] = 1;
  }
}

void peer_expect_two_events_at(peer *p, h2e_event_type type1, uint32_t stream1,
                               h2e_event_type type2, uint32_t stream2,
                               const char *file, int line) {
  peer_event_want wants[2] = {{type1, stream1}, {type2, stream2}};
  peer_expect_event_set_at(p, wants, 2, file, line);
}

h2e_event peer_expect_headers_event_at(peer *p, uint32_t stream_id,
                                       h2e_headers_kind kind, int end_stream,
                                       const h2e_field *fields, size_t count,
                                       const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "HEADERS on stream %u (%s, end_stream=%d)",
           stream_id, peer_kind_name(kind), end_stream);
  h2e_event ev = peer_expect_event_at(p, H2E_EV_HEADERS, stream_id, file, line);
  if (ev.u.headers.kind != kind || !ev.u.headers.end_stream != !end_stream)
    peer_fail_event(&ev, what, file, line);
  peer_compare_fields(ev.u.headers.fields, ev.u.headers.count, fields, count,
                      what, file, line);
  return ev;
}

h2e_event peer_expect_request_at(peer *p, uint32_t stream_id, int end_stream,
                                 const char *file, int line) {
  return peer_expect_headers_event_at(p, stream_id, H2E_HEADERS_REQUEST,
                                      end_stream, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, file, line);
}

void peer_expect_data_event_at(peer *p, uint32_t stream_id, size_t from,
                               size_t len, int end_stream, const char *file,
                               int line) {
  size_t done = 0;
  char what[160];
  do {
    snprintf(what, sizeof what, "DATA on stream %u (%zu of %zu octets seen)",
             stream_id, done, len);
    h2e_event ev = peer_expect_event_at(p, H2E_EV_DATA, stream_id, file, line);
    size_t got = ev.u.data.len;
    if (done + got > len)
      peer_fail_event(&ev, what, file, line);
    if (got && memcmp(ev.u.data.data, p->body + from + done, got) != 0)
      peer_fail_at(file, line,
                   "DATA event on stream %u at offset %zu carries "
                   "other octets than the peer sent",
                   stream_id, done);
    done += got;
    if (ev.u.data.end_stream && !(end_stream && done == len))
      peer_fail_event(&ev, what, file, line);
    if (done == len && (!end_stream || ev.u.data.end_stream))
      return;
  } while (1);
}

void peer_expect_reset_event_at(peer *p, uint32_t stream_id, uint32_t code,
                                int by_peer, const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "STREAM_RESET on stream %u (%s, by_peer=%d)",
           stream_id, h2e_h2_error_name(code), by_peer);
  h2e_event ev =
      peer_expect_event_at(p, H2E_EV_STREAM_RESET, stream_id, file, line);
  if (ev.u.reset.error_code != code || !ev.u.reset.by_peer != !by_peer)
    peer_fail_event(&ev, what, file, line);
}

void peer_open_stream_at(peer *p, uint32_t stream_id, int end_stream,
                         const char *file, int line) {
  peer_send_request_at(p, stream_id, end_stream ? PEER_END_STREAM : 0, file,
                       line);
  peer_expect_request_at(p, stream_id, end_stream, file, line);
  peer_expect_no_event_at(p, file, line);
  peer_expect_no_frame_at(p, file, line);
}

void peer_finish_stream_at(peer *p, uint32_t stream_id, const char *file,
                           int line) {
  peer_submit_status_at(p, stream_id, "200", H2E_END_STREAM, file, line);
  peer_expect_status_at(p, stream_id, 1, "200", file, line);
  peer_expect_no_frame_at(p, file, line);
  peer_expect_event_at(p, H2E_EV_STREAM_CLOSED, stream_id, file, line);
  peer_expect_no_event_at(p, file, line);
}

/* ---- errors and liveness ------------------------------------------------- */

static void expect_closed(peer *p, const char *file, int line) {
  static const uint8_t ping[17] = {0, 0, 8, H2E_FRAME_PING, 0, 0, 0, 0, 0};
  ptrdiff_t n = h2e_conn_recv(p->conn, ping, sizeof ping, p->now_ms);
  if (n != H2E_ERR_CONN_CLOSED)
    peer_fail_at(file, line,
                 "after the connection error, h2e_conn_recv returned "
                 "%td (%s) instead of H2E_ERR_CONN_CLOSED",
                 n, n < 0 ? h2e_strerror((int)n) : "octets consumed");
  unsigned want = h2e_conn_want(p->conn);
  if (!(want & H2E_CLOSED) || (want & (H2E_WANT_READ | H2E_WANT_WRITE)))
    peer_fail_at(file, line,
                 "after the connection error and a full drain, "
                 "h2e_conn_want is 0x%x instead of H2E_CLOSED",
                 want);
}

void peer_expect_conn_error_at(peer *p, uint32_t code, uint32_t other_code,
                               uint32_t last_stream_id, uint32_t or_last,
                               const char *file, int line) {
  char what[200];
  char lasts[40];
  if (or_last == last_stream_id)
    snprintf(lasts, sizeof lasts, "%u", last_stream_id);
  else
    snprintf(lasts, sizeof lasts, "%u or %u", last_stream_id, or_last);
  if (code == other_code)
    snprintf(what, sizeof what, "GOAWAY (last_stream_id=%s, %s)", lasts,
             h2e_h2_error_name(code));
  else
    snprintf(what, sizeof what, "GOAWAY (last_stream_id=%s, %s or %s)", lasts,
             h2e_h2_error_name(code), h2e_h2_error_name(other_code));
  h2e_frame f;
  peer_need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_GOAWAY || f.hd.stream_id != 0 ||
      (f.u.goaway.last_stream_id != last_stream_id &&
       f.u.goaway.last_stream_id != or_last) ||
      (f.u.goaway.error_code != code && f.u.goaway.error_code != other_code))
    peer_fail_frame(&f, what, file, line);
  uint32_t sent = f.u.goaway.error_code;
  if (peer_next_frame_at(p, &f, file, line))
    peer_fail_frame(&f, "nothing after the GOAWAY of a connection error", file,
                    line);

  /* Streams the error ended may report first; then the error itself. */
  h2e_event ev;
  for (;;) {
    if (!peer_next_event(p, &ev))
      peer_fail_at(file, line,
                   "expected event CONN_ERROR (%s), but no event is "
                   "waiting",
                   h2e_h2_error_name(sent));
    if (ev.type != H2E_EV_STREAM_RESET && ev.type != H2E_EV_STREAM_CLOSED)
      break;
  }
  snprintf(what, sizeof what, "CONN_ERROR on stream 0 (%s, by_peer=0)",
           h2e_h2_error_name(sent));
  if (ev.type != H2E_EV_CONN_ERROR || ev.u.conn_error.error_code != sent ||
      ev.u.conn_error.by_peer)
    peer_fail_event(&ev, what, file, line);
  peer_expect_no_event_at(p, file, line);
  expect_closed(p, file, line);
}

void peer_expect_stream_error_at(peer *p, uint32_t stream_id, uint32_t code,
                                 int reset_event, const char *file, int line) {
  peer_expect_rst_stream_at(p, stream_id, code, file, line);
  peer_expect_no_frame_at(p, file, line);
  if (reset_event)
    peer_expect_reset_event_at(p, stream_id, code, 0, file, line);
  peer_expect_no_event_at(p, file, line);
  h2e_stream_state state = h2e_stream_get_state(p->conn, stream_id);
  if (state != H2E_STATE_CLOSED)
    peer_fail_at(file, line,
                 "stream %u is in state %d after its RST_STREAM, not "
                 "closed",
                 stream_id, (int)state);
  peer_expect_alive_at(p, file, line);
}

void peer_expect_stream_or_conn_error_at(peer *p, uint32_t stream_id,
                                         uint32_t code, int reset_event,
                                         uint32_t conn_code,
                                         uint32_t last_stream_id,
                                         const char *file, int line) {
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) {
    peer_expect_conn_error_at(p, code, conn_code, last_stream_id,
                              last_stream_id, file, line);
    return;
  }
  peer_expect_stream_error_at(p, stream_id, code, reset_event, file, line);
}

void peer_expect_alive_at(peer *p, const char *file, int line) {
  if (p->config.role == H2E_SERVER) {
    uint32_t id = p->next_stream_id;
    peer_open_stream_at(p, id, 1, file, line);
    peer_finish_stream_at(p, id, file, line);
  } else {
    uint32_t id = peer_submit_request_at(p, H2E_END_STREAM, file, line);
    peer_expect_headers_at(p, id, 1, peer_request_fields,
                           PEER_REQUEST_FIELD_COUNT, file, line);
    peer_expect_no_frame_at(p, file, line);
    peer_send_response_at(p, id, "200", PEER_END_STREAM, file, line);
    h2e_field status = PEER_FIELD(":status", "200");
    peer_expect_headers_event_at(p, id, H2E_HEADERS_RESPONSE, 1, &status, 1,
                                 file, line);
    peer_expect_event_at(p, H2E_EV_STREAM_CLOSED, id, file, line);
  }
  peer_expect_no_event_at(p, file, line);
  peer_expect_no_frame_at(p, file, line);
}
