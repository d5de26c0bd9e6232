/* The application side of a connection fuzz run: pulls and checks events,
 * submits header blocks, bodies (memory and file regions), resets, PINGs,
 * GOAWAY and SETTINGS, gives DATA credit back, and queries state.
 *
 * Checks: every event is well-formed for the role and readable (ASan
 * sees every slice touched); a stream ends with at most one STREAM_CLOSED
 * or STREAM_RESET and hears nothing after it; each body is released once
 * with its cookie, and its memory is freed right then, so an engine that
 * still reads it is caught; h2e_consume takes back exactly what was
 * delivered; return codes stay within what the API documents. */
#ifndef CONN_FUZZ_APP_H
#define CONN_FUZZ_APP_H

#include "conn_fuzz_peer.h"

static void cf_app_init(cf_run *r) {
  memset(&r->app, 0, sizeof r->app);
  r->app.next_cookie = 1;
}

static void cf_app_free_chunks(cf_run *r) {
  for (size_t i = 0; i < r->app.chunk_count; i++)
    free(r->app.chunks[i]);
  r->app.chunk_count = 0;
}

static void cf_app_free(cf_run *r) {
  cf_app_free_chunks(r);
  for (size_t i = 0; i < CF_BODIES_MAX; i++)
    free(r->app.bodies[i].data);
}

static cf_stream *cf_app_stream(cf_run *r, uint32_t id) {
  return cf_stream_get(&r->streams, id, 1);
}

/* ---- events ------------------------------------------------------------- */

static uint32_t cf_touch(const uint8_t *p, size_t n) {
  return n ? cf_hash_bytes(0, p, n) : 0;
}

static void cf_app_stream_event(cf_run *r, uint32_t id) {
  cf_stream *st = cf_app_stream(r, id);
  CF_CHECK(id != 0, "event_stream_id");
  CF_CHECK(st == NULL || !st->ended, "event_after_stream_end");
  cf_streams_note(&r->streams, id);
}

static void cf_app_headers(cf_run *r, const h2e_event *ev) {
  h2e_headers_kind kind = ev->u.headers.kind;
  cf_app_stream_event(r, ev->stream_id);
  if (r->role == H2E_SERVER)
    CF_CHECK(kind == H2E_HEADERS_REQUEST || kind == H2E_HEADERS_TRAILERS,
             "headers_kind_role");
  else
    CF_CHECK(kind == H2E_HEADERS_RESPONSE ||
                 kind == H2E_HEADERS_INFORMATIONAL ||
                 kind == H2E_HEADERS_TRAILERS,
             "headers_kind_role");
  CF_CHECK(kind != H2E_HEADERS_TRAILERS || ev->u.headers.end_stream,
           "trailers_end_stream");
  /* RFC 9113 §6.8: a request above the last stream id of a GOAWAY we sent
   * may be retried elsewhere by the client: it must not be processed. */
  if (kind == H2E_HEADERS_REQUEST && r->wire.goaway_seen)
    CF_CHECK(ev->stream_id <= r->wire.goaway_min_last_id,
             "request_above_goaway");
  CF_CHECK(ev->u.headers.count <= r->config.max_header_list_size / 32 + 1,
           "field_count");
  (void)cf_hash_fields(ev->u.headers.fields, ev->u.headers.count);
}

static void cf_app_consume(cf_run *r, uint32_t id, uint64_t len) {
  cf_stream *st = cf_app_stream(r, id);
  int rc = h2e_consume(r->conn, id, (size_t)len);
  CF_CHECK(rc == H2E_OK, "consume_delivered");
  if (rc == H2E_OK && st) {
    st->unconsumed -= len;
    r->app.unconsumed_total -= len;
  }
}

static void cf_app_data(cf_run *r, const h2e_event *ev) {
  cf_app_stream_event(r, ev->stream_id);
  size_t len = ev->u.data.len;
  (void)cf_touch(ev->u.data.data, len);
  CF_CHECK(len <= r->config.max_frame_size, "data_event_size");
  cf_stream *st = cf_app_stream(r, ev->stream_id);
  if (r->config.auto_consume || st == NULL)
    return;
  st->unconsumed += len;
  r->app.unconsumed_total += len;
  if (r->app.consume_mode == 0)
    cf_app_consume(r, ev->stream_id, len);
}

static void cf_app_stream_end(cf_run *r, const h2e_event *ev) {
  cf_stream *st = cf_app_stream(r, ev->stream_id);
  CF_CHECK(ev->stream_id != 0, "event_stream_id");
  if (st == NULL)
    return;
  /* h2e.h: exactly one STREAM_CLOSED or STREAM_RESET per stream. */
  CF_CHECK(!st->ended, "stream_end_once");
  st->ended = 1;
}

static void cf_app_data_sent(cf_run *r, const h2e_event *ev) {
  uint64_t cookie = ev->u.data_sent.cookie;
  cf_body *body = &r->app.bodies[cookie % CF_BODIES_MAX];
  CF_CHECK(cookie != 0 && body->cookie == cookie, "data_sent_once");
  if (cookie == 0 || body->cookie != cookie)
    return;
  CF_CHECK(body->stream_id == ev->stream_id, "data_sent_stream");
  free(body->data); /* the engine may not read it any more */
  memset(body, 0, sizeof *body);
  r->app.bodies_out--;
}

static void cf_app_ping_ack(cf_run *r, const h2e_event *ev) {
  int known = 0;
  for (uint32_t i = 0; i < r->app.user_ping_count && i < CF_USER_PINGS; i++)
    known |= memcmp(r->app.user_pings[i], ev->u.ping_ack.opaque_data, 8) == 0;
  CF_CHECK(known, "ping_ack_event_known");
}

static void cf_app_connection_event(cf_run *r, const h2e_event *ev) {
  /* RFC 7838 §4: ALTSVC may name a stream (whose origin it is for). */
  CF_CHECK(ev->stream_id == 0 || ev->type == H2E_EV_ALTSVC,
           "connection_event_stream");
  switch (ev->type) {
  case H2E_EV_GOAWAY:
    (void)cf_touch(ev->u.goaway.debug_data, ev->u.goaway.debug_len);
    break;
  case H2E_EV_CONN_ERROR:
    CF_CHECK(ev->u.conn_error.reason != NULL, "conn_error_reason");
    (void)strlen(ev->u.conn_error.reason);
    r->app.conn_error = 1;
    break;
  case H2E_EV_PING_ACK:
    cf_app_ping_ack(r, ev);
    break;
  case H2E_EV_ALTSVC:
    CF_CHECK(r->role == H2E_CLIENT, "extension_event_role");
    (void)cf_touch(ev->u.altsvc.origin, ev->u.altsvc.origin_len);
    (void)cf_touch(ev->u.altsvc.field_value, ev->u.altsvc.field_value_len);
    break;
  case H2E_EV_ORIGIN: {
    CF_CHECK(r->role == H2E_CLIENT, "extension_event_role");
    size_t pos = 0, len;
    const uint8_t *origin;
    while (h2e_origin_next(ev->u.origin.entries, ev->u.origin.entries_len, &pos,
                           &origin, &len))
      (void)cf_touch(origin, len);
    break;
  }
  default:
    break;
  }
}

static void cf_app_event(cf_run *r, const h2e_event *ev) {
  CF_TRACE(r, "  event %d stream %u\n", (int)ev->type, ev->stream_id);
  switch (ev->type) {
  case H2E_EV_SETTINGS:
  case H2E_EV_SETTINGS_ACK:
  case H2E_EV_GOAWAY:
  case H2E_EV_CONN_ERROR:
  case H2E_EV_PING_ACK:
  case H2E_EV_ALTSVC:
  case H2E_EV_ORIGIN:
    cf_app_connection_event(r, ev);
    break;
  case H2E_EV_HEADERS:
    cf_app_headers(r, ev);
    break;
  case H2E_EV_DATA:
    cf_app_data(r, ev);
    break;
  case H2E_EV_STREAM_RESET:
  case H2E_EV_STREAM_CLOSED:
    cf_app_stream_end(r, ev);
    break;
  case H2E_EV_PUSH_PROMISE:
    CF_CHECK(r->role == H2E_CLIENT, "push_promise_event_role");
    cf_app_stream_event(r, ev->stream_id);
    CF_CHECK(ev->u.push_promise.promised_stream_id % 2 == 0 &&
                 ev->u.push_promise.promised_stream_id != 0,
             "promised_stream_id");
    cf_streams_note(&r->streams, ev->u.push_promise.promised_stream_id);
    (void)cf_hash_fields(ev->u.push_promise.fields, ev->u.push_promise.count);
    break;
  case H2E_EV_DATA_SENT:
    cf_app_data_sent(r, ev);
    break;
  case H2E_EV_WINDOW_OPEN:
    cf_app_stream_event(r, ev->stream_id);
    break;
  case H2E_EV_PRIORITY_UPDATE:
    CF_CHECK(r->role == H2E_SERVER, "extension_event_role");
    (void)cf_touch(ev->u.priority_update.field_value,
                   ev->u.priority_update.field_value_len);
    break;
  default:
    CF_CHECK(0, "event_type");
  }
}

/* Pulls up to max events; once none is left, no event points into the
 * inputs any more and they are freed (ASan then catches later reads). */
static void cf_app_pull(cf_run *r, size_t max) {
  h2e_event ev;
  for (size_t i = 0; i < max; i++) {
    if (h2e_conn_next_event(r->conn, &ev) != 1) {
      cf_app_free_chunks(r);
      return;
    }
    cf_app_event(r, &ev);
  }
}

/* ---- submits ------------------------------------------------------------ */

static uint32_t cf_app_target(cf_run *r, uint8_t choice) {
  if (choice < 0xe0)
    return cf_streams_recent(&r->streams, choice);
  if (choice < 0xf0)
    return choice & 15;
  return 0x7fffffffu - (choice & 15);
}

static void cf_app_request(cf_run *r, const h2e_field *fields, size_t count,
                           unsigned flags) {
  int32_t id = h2e_submit_request(r->conn, fields, count, flags);
  CF_TRACE(r, "  submit_request (%zu fields, flags %u) -> %d\n", count, flags,
           id);
  if (id < 0) {
    CF_CHECK_RC(id, "submit_request_rc", H2E_ERR_STREAM_LIMIT,
                H2E_ERR_STREAM_IDS_EXHAUSTED, H2E_ERR_WOULDBLOCK,
                H2E_ERR_BUFFER_TOO_SMALL, H2E_ERR_CONN_CLOSED, H2E_ERR_NOMEM,
                H2E_ERR_INVALID_ARG, H2E_ERR_CONNECT_PROTOCOL_DISABLED);
    return;
  }
  /* RFC 9113 §5.1.1: odd ids, in order, none skipped. */
  CF_CHECK(id == (r->app.last_request_id ? r->app.last_request_id + 2 : 1),
           "request_stream_id");
  r->app.last_request_id = id;
  cf_streams_note(&r->streams, (uint32_t)id);
  cf_stream_expect_block(&r->streams, (uint32_t)id,
                         cf_hash_fields(fields, count));
}

/* ctl: END_STREAM; what the block is (bits 1-2). */
static void cf_app_submit_headers(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  static const cf_message server_kinds[4] = {CF_RESPONSE, CF_RESPONSE,
                                             CF_INFORMATIONAL, CF_TRAILERS};
  static const cf_message client_kinds[4] = {CF_REQUEST, CF_REQUEST, CF_REQUEST,
                                             CF_TRAILERS};
  cf_message kind =
      (r->role == H2E_SERVER ? server_kinds : client_kinds)[(ctl >> 1) & 3];
  h2e_field fields[CF_FIELDS_MAX];
  size_t count = cf_make_fields(&r->in, kind, fields);
  unsigned flags = (ctl & 1) ? H2E_END_STREAM : 0;
  if (kind == CF_REQUEST) {
    cf_app_request(r, fields, count, flags);
    return;
  }
  int rc = h2e_submit_headers(r->conn, id, fields, count, flags);
  CF_TRACE(r, "  submit_headers %u (%zu fields, flags %u) -> %d\n", id, count,
           flags, rc);
  CF_CHECK_RC(rc, "submit_headers_rc", H2E_OK, H2E_ERR_WOULDBLOCK,
              H2E_ERR_BUFFER_TOO_SMALL, H2E_ERR_STREAM_CLOSED,
              H2E_ERR_INVALID_ARG, H2E_ERR_CONN_CLOSED, H2E_ERR_NOMEM,
              H2E_ERR_STREAM_LIMIT /* a promised stream, §5.1.2 */);
  if (rc == H2E_OK)
    cf_stream_expect_block(&r->streams, id, cf_hash_fields(fields, count));
}

/* ctl: END_STREAM, a file region (bit 1), no buffer at all (bit 2). */
static void cf_app_submit_data(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  uint32_t len = cf_data_length(fuzz_byte(&r->in));
  uint64_t cookie = r->app.next_cookie++;
  cf_body *body = &r->app.bodies[cookie % CF_BODIES_MAX];
  if (body->cookie != 0)
    return; /* an old body still out: skip rather than lose track */
  cf_stream *st = cf_app_stream(r, id);
  uint64_t offset = st ? st->data_submitted : 0;
  unsigned flags = (ctl & 1) ? H2E_END_STREAM : 0;
  uint8_t *data = NULL;
  int rc;
  if (ctl & 2) {
    rc = h2e_submit_file(r->conn, id, (int)(id & 0x7fffffff), offset, len,
                         flags, cookie);
  } else {
    if (len > 0 || !(ctl & 4)) {
      data = malloc(len ? len : 1);
      if (data == NULL)
        abort();
      cf_pattern_fill(data, len, id, offset);
    }
    rc = h2e_submit_data(r->conn, id, data, len, flags, cookie);
  }
  CF_TRACE(r, "  submit_data %u len %u flags %u -> %d\n", id, len, flags, rc);
  CF_CHECK_RC(rc, "submit_data_rc", H2E_OK, H2E_ERR_STREAM_CLOSED,
              H2E_ERR_INVALID_ARG, H2E_ERR_WOULDBLOCK, H2E_ERR_CONN_CLOSED,
              H2E_ERR_NOMEM);
  if (rc != H2E_OK) {
    free(data);
    return;
  }
  if (st)
    st->data_submitted += len;
  body->cookie = cookie;
  body->data = data;
  body->stream_id = id;
  r->app.bodies_out++;
}

/* Server push (RFC 9113 §8.4). ctl: GET or HEAD in place of the first
 * field (bit 0), HEAD (bit 1). The promise is a header block expected on
 * the associated stream; the promised stream becomes a target. */
static void cf_app_submit_push(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  h2e_field fields[CF_FIELDS_MAX];
  size_t count = cf_make_fields(&r->in, CF_REQUEST, fields);
  if ((ctl & 1) && count > 0)
    fields[0] = cf_field_str(":method", (ctl & 2) ? "HEAD" : "GET", 0);
  int32_t promised = h2e_submit_push_promise(r->conn, id, fields, count);
  CF_TRACE(r, "  submit_push_promise %u (%zu fields) -> %d\n", id, count,
           promised);
  if (promised < 0) {
    CF_CHECK_RC(promised, "submit_push_rc", H2E_ERR_INVALID_ARG,
                H2E_ERR_PUSH_DISABLED, H2E_ERR_STREAM_CLOSED,
                H2E_ERR_STREAM_LIMIT, H2E_ERR_STREAM_IDS_EXHAUSTED,
                H2E_ERR_WOULDBLOCK, H2E_ERR_BUFFER_TOO_SMALL,
                H2E_ERR_CONN_CLOSED, H2E_ERR_NOMEM);
    return;
  }
  CF_CHECK(r->role == H2E_SERVER && promised % 2 == 0 && promised > 0,
           "push_role_and_id");
  cf_stream_expect_block(&r->streams, id, cf_hash_fields(fields, count));
  cf_stream *st = cf_stream_get(&r->streams, (uint32_t)promised, 1);
  if (st)
    st->promised = 1;
  cf_streams_note(&r->streams, (uint32_t)promised);
}

static void cf_app_submit_rst(cf_run *r) {
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  int rc = h2e_submit_rst_stream(r->conn, id, fuzz_byte(&r->in) % 16);
  CF_TRACE(r, "  submit_rst %u -> %d\n", id, rc);
  CF_CHECK_RC(rc, "submit_rst_rc", H2E_OK, H2E_ERR_INVALID_ARG,
              H2E_ERR_STREAM_CLOSED, H2E_ERR_WOULDBLOCK, H2E_ERR_CONN_CLOSED);
}

static void cf_app_submit_ping(cf_run *r) {
  uint8_t opaque[8];
  memset(opaque, fuzz_byte(&r->in), sizeof opaque);
  opaque[7] = (uint8_t)r->app.user_ping_count;
  int rc = h2e_submit_ping(r->conn, opaque, r->now_ms);
  CF_CHECK_RC(rc, "submit_ping_rc", H2E_OK, H2E_ERR_WOULDBLOCK,
              H2E_ERR_CONN_CLOSED, H2E_ERR_NOMEM);
  if (rc == H2E_OK)
    memcpy(r->app.user_pings[r->app.user_ping_count++ % CF_USER_PINGS], opaque,
           8);
}

static void cf_app_submit_goaway(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  static const char *const texts[4] = {
      NULL, "bye", "",
      "a debug text longer than the ninety-six octets a GOAWAY of ours "
      "carries, so that it has to be cut somewhere"};
  uint32_t code = (ctl & 0x80) ? (uint32_t)(ctl & 0x0f) : H2E_NO_ERROR;
  int rc = h2e_submit_goaway(r->conn, code, texts[(ctl >> 4) & 3], r->now_ms);
  CF_CHECK_RC(rc, "submit_goaway_rc", H2E_OK, H2E_ERR_WOULDBLOCK,
              H2E_ERR_CONN_CLOSED);
}

static void cf_app_submit_settings(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  h2e_setting settings[9];
  size_t count = ctl % 10;
  for (size_t i = 0; i < count; i++) {
    uint8_t id = fuzz_byte(&r->in);
    settings[i].id = id < 200 ? (uint16_t)(id % 11) : id;
    settings[i].value = cf_pick_u32(fuzz_byte(&r->in));
  }
  int rc = h2e_submit_settings(r->conn, settings, count, r->now_ms);
  CF_CHECK_RC(rc, "submit_settings_rc", H2E_OK, H2E_ERR_INVALID_ARG,
              H2E_ERR_WOULDBLOCK, H2E_ERR_CONN_CLOSED, H2E_ERR_NOMEM);
}

/* Gives credit back: some of a stream's, or, after pulling every event,
 * one octet more than was ever delivered (which must be refused). */
static void cf_app_consume_op(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  if (ctl & 0x80) {
    cf_app_pull(r, SIZE_MAX);
    int rc = h2e_consume(r->conn, id, (size_t)r->app.unconsumed_total + 1);
    CF_CHECK(rc == H2E_ERR_INVALID_ARG, "consume_excess_refused");
    return;
  }
  cf_stream *st = cf_stream_get(&r->streams, id, 0);
  if (st == NULL || r->config.auto_consume)
    return;
  uint64_t len = (ctl & 1) ? st->unconsumed : st->unconsumed / 2;
  cf_app_consume(r, id, len);
}

/* State queries: any stream id, any time. */
static void cf_app_query(cf_run *r) {
  uint32_t id = cf_app_target(r, fuzz_byte(&r->in));
  h2e_stream_state state = h2e_stream_get_state(r->conn, id);
  CF_CHECK(state <= H2E_STATE_CLOSED, "stream_state_range");
  if (h2e_stream_set_user_data(r->conn, id, &r->streams) == H2E_OK)
    CF_CHECK(h2e_stream_get_user_data(r->conn, id) == &r->streams, "user_data");
  (void)h2e_conn_want(r->conn);
  (void)h2e_conn_streams_available(r->conn);
  (void)h2e_conn_peer_setting(r->conn, (uint16_t)(id & 0xffff));
  (void)h2e_conn_deadline(r->conn);
}

#endif
