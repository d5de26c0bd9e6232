/* The wire: every octet the engine writes, parsed with our own frame
 * parser (h2e_frame_parse) and checked against the rules for senders:
 *
 *   - the client preface first (client role), then SETTINGS (§3.4);
 *   - every frame parses, and fits the peer's MAX_FRAME_SIZE as of the
 *     peer's SETTINGS the engine has acknowledged (§4.2, §6.5.3);
 *   - PUSH_PROMISE only from a server, on a client stream it has not
 *     ended, promising increasing even ids (§6.6, §8.4);
 *   - header blocks are contiguous (§4.3) and decode with a separate
 *     HPACK decoder kept in sync, whose table size limit follows the
 *     peer's acknowledged SETTINGS (RFC 7541 §4.2); each decodes to the
 *     fields the application submitted on that stream, in order;
 *   - DATA comes after the stream's HEADERS and before its END_STREAM,
 *     carries the submitted body octets in order, and stays within the
 *     credit the peer gave (§6.9);
 *   - no DATA or WINDOW_UPDATE on a stream after our RST_STREAM (§5.1;
 *     header blocks may still come, as HPACK needs them, §4.3), at most
 *     one RST_STREAM per stream, new streams in increasing order (§5.1.1);
 *   - a client opens no stream beyond the peer's MAX_CONCURRENT_STREAMS
 *     (§5.1.2); the credit given never takes the peer's view of our
 *     connection window past 2^31-1 (§6.9.1);
 *   - SETTINGS ACKs and PING ACKs answer the peer's frames in order
 *     (§6.5.3, §6.7); GOAWAY last stream ids never increase (§6.8);
 *     nothing after a GOAWAY for an error (§5.4.1). */
#ifndef CONN_FUZZ_WIRE_H
#define CONN_FUZZ_WIRE_H

#include "conn_fuzz_mirror.h"

#define CF_DECODED_BYTES  (1u << 20)
#define CF_DECODED_FIELDS 2048
/* The engine's HPACK encoder never keeps a larger table. */
#define CF_ENGINE_TABLE_MAX 4096

static void cf_wire_init(cf_run *r) {
  cf_wire *w = &r->wire;
  memset(w, 0, sizeof *w);
  w->preface_left = r->role == H2E_CLIENT ? 24 : 0;
  w->peer_max_frame = H2E_MAX_FRAME_SIZE_MIN;
  w->peer_max_streams = UINT32_MAX; /* RFC 9113 §6.5.2: no limit at first */
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = CF_ENGINE_TABLE_MAX;
  config.max_header_list_size = 16u << 20;
  w->decoder = h2e_hpack_decoder_new(&config, NULL);
  /* decoded fields: process-long storage, reused by every run */
  static uint8_t *decoded;
  static h2e_field *fields;
  if (decoded == NULL) {
    decoded = malloc(CF_DECODED_BYTES);
    fields = malloc(CF_DECODED_FIELDS * sizeof *fields);
  }
  w->out.buf = decoded;
  w->out.buf_cap = CF_DECODED_BYTES;
  w->out.fields = fields;
  w->out.fields_cap = CF_DECODED_FIELDS;
  if (w->decoder == NULL || decoded == NULL || fields == NULL)
    abort();
}

static void cf_wire_free(cf_run *r) {
  cf_wire *w = &r->wire;
  h2e_hpack_decoder_free(w->decoder);
  free(w->block);
  free(w->buf);
}

static void cf_grow(uint8_t **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return;
  size_t cap2 = *cap ? *cap : 4096;
  while (cap2 < need)
    cap2 *= 2;
  uint8_t *p = realloc(*buf, cap2);
  if (p == NULL)
    abort();
  *buf = p;
  *cap = cap2;
}

/* ---- header blocks ------------------------------------------------------ */

static void cf_wire_block_append(cf_wire *w, const uint8_t *p, size_t n) {
  cf_grow(&w->block, &w->block_cap, w->block_len + n);
  if (n)
    memcpy(w->block + w->block_len, p, n);
  w->block_len += n;
}

static void cf_wire_block_done(cf_run *r) {
  cf_wire *w = &r->wire;
  w->block_open = 0;
  h2e_hpack_decode_begin(w->decoder, &w->out);
  ptrdiff_t rc = h2e_hpack_decode(w->decoder, w->block, w->block_len, 1);
  CF_CHECK(rc == (ptrdiff_t)w->block_len, "hpack_decodes");
  if (rc != (ptrdiff_t)w->block_len)
    return;
  uint32_t hash = cf_hash_fields(w->out.fields, w->out.count);
  CF_CHECK(cf_stream_match_block(&r->streams, w->block_stream, hash),
           "block_matches_submit");
  cf_stream *st = cf_stream_get(&r->streams, w->block_stream, 1);
  if (st && !w->block_is_promise) {
    st->headers_sent = 1;
    st->end_sent |= w->block_end_stream;
  }
}

/* The engine's streams open as far as the peer knows (RFC 9113 §5.1,
 * §5.1.2): HEADERS sent, and not ended both ways, reset, or beyond the
 * peer's GOAWAY. */
static uint32_t cf_wire_active_local(cf_run *r) {
  uint32_t active = 0;
  const cf_mirror *m = &r->mirror;
  for (uint32_t i = 0; i < CF_STREAMS_CAP; i++) {
    const cf_stream *st = &r->streams.slots[i];
    if (st->id == 0 || st->id % 2 == 0 || !st->headers_sent)
      continue;
    int closed = st->rst_sent || st->peer_rst ||
                 (st->end_sent && st->peer_end) ||
                 (m->goaway_seen && st->id > m->goaway_last_id);
    active += !closed;
  }
  return active;
}

static void cf_wire_headers(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  uint32_t id = f->hd.stream_id;
  cf_stream *st = cf_stream_get(&r->streams, id, 1);
  /* HEADERS go on client streams, and on streams a server promised. */
  CF_CHECK(id % 2 == 1 || st == NULL || st->promised, "headers_stream_parity");
  if (st) {
    /* A block encoded before the stream was reset still goes out: the
     * peer's decoder must see it (RFC 9113 §4.3), even after an RST. */
    CF_CHECK(!st->end_sent, "headers_after_end_stream");
    if (r->role == H2E_CLIENT && !st->headers_sent) {
      /* RFC 9113 §5.1.1: new stream ids only grow. */
      CF_CHECK(id > w->highest_local_stream, "stream_id_order");
      w->highest_local_stream = id;
      /* RFC 9113 §5.1.2: within the peer's MAX_CONCURRENT_STREAMS. */
      CF_CHECK(cf_wire_active_local(r) < w->peer_max_streams,
               "peer_stream_limit");
    }
  }
  w->block_open = 1;
  w->block_is_promise = 0;
  w->block_stream = id;
  w->block_end_stream = (f->hd.flags & H2E_FLAG_END_STREAM) != 0;
  w->block_len = 0;
  cf_wire_block_append(w, f->u.headers.block, f->u.headers.block_len);
  if (f->hd.flags & H2E_FLAG_END_HEADERS)
    cf_wire_block_done(r);
}

/* RFC 9113 §6.6, §8.4: a server promises on a client stream not ended
 * by it, a new even stream id each time; the block is the one the
 * application submitted on the associated stream. */
static void cf_wire_push_promise(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  uint32_t id = f->hd.stream_id;
  uint32_t promised = f->u.push_promise.promised_stream_id;
  CF_CHECK(r->role == H2E_SERVER, "push_promise_role");
  CF_CHECK(id % 2 == 1 && promised % 2 == 0 && promised > w->highest_promised,
           "push_promise_ids");
  w->highest_promised = promised;
  cf_stream *st = cf_stream_get(&r->streams, id, 0);
  CF_CHECK(st == NULL || !st->end_sent, "push_promise_after_end_stream");
  w->block_open = 1;
  w->block_is_promise = 1;
  w->block_stream = id;
  w->block_end_stream = 0;
  w->block_len = 0;
  cf_wire_block_append(w, f->u.push_promise.block, f->u.push_promise.block_len);
  if (f->hd.flags & H2E_FLAG_END_HEADERS)
    cf_wire_block_done(r);
}

static void cf_wire_continuation(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  CF_CHECK(w->block_open, "continuation_without_block");
  if (!w->block_open)
    return;
  cf_wire_block_append(w, f->u.continuation.block, f->u.continuation.block_len);
  if (f->hd.flags & H2E_FLAG_END_HEADERS)
    cf_wire_block_done(r);
}

/* ---- DATA --------------------------------------------------------------- */

static void cf_wire_data(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  uint32_t length = f->hd.length;
  w->conn_data_sent += length;
  /* RFC 9113 §6.9.1: within the connection window. */
  CF_CHECK(w->conn_data_sent <= 65535 + r->mirror.conn_credit, "conn_window");
  cf_stream *st = cf_stream_get(&r->streams, f->hd.stream_id, 0);
  if (st == NULL)
    return;
  CF_CHECK(!st->rst_sent, "frame_after_rst");
  CF_CHECK(!st->end_sent, "data_after_end_stream");
  CF_CHECK(st->headers_sent, "data_before_headers"); /* RFC 9113 §8.1 */
  CF_CHECK(cf_pattern_matches(f->u.data.data, f->u.data.data_len,
                              f->hd.stream_id, st->data_sent),
           "data_content");
  st->data_sent += length;
  /* RFC 9113 §6.9.1, §6.9.2: the stream window is at most the largest
   * INITIAL_WINDOW_SIZE the peer ever gave plus its WINDOW_UPDATEs. */
  CF_CHECK(st->data_sent <= r->mirror.max_initial_window + st->window_credit,
           "stream_window");
  CF_CHECK(st->data_sent <= st->data_submitted, "data_beyond_submitted");
  if (f->hd.flags & H2E_FLAG_END_STREAM)
    st->end_sent = 1;
}

/* ---- control frames ----------------------------------------------------- */

static void cf_wire_settings(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  if (!(f->hd.flags & H2E_FLAG_ACK)) {
    cf_settings_note note = {0};
    for (size_t i = 0; i < f->u.settings.count; i++) {
      h2e_setting s = h2e_frame_setting(f, i);
      if (s.id == H2E_SETTINGS_HEADER_TABLE_SIZE) {
        note.table_min = note.has_table && note.table_min < s.value
                             ? note.table_min
                             : s.value;
        note.table_last = s.value;
        note.has_table = 1;
      }
    }
    CF_CHECK(w->settings_count < CF_ENGINE_NOTES, "settings_unacked_bound");
    if (w->settings_count < CF_ENGINE_NOTES)
      w->settings[(w->settings_head + w->settings_count++) % CF_ENGINE_NOTES] =
          note;
    return;
  }
  cf_settings_note note;
  if (r->mirror.settings_lost) {
    w->peer_max_frame = r->mirror.max_frame_size_seen;
    return;
  }
  /* RFC 9113 §6.5.3: an ACK answers a SETTINGS frame of the peer's. */
  int answered = cf_mirror_take_settings(r, &note);
  CF_CHECK(answered, "settings_ack_unsolicited");
  if (!answered)
    return;
  /* From the ACK on, the peer holds the engine to these values. */
  if (note.has_frame_size)
    w->peer_max_frame = note.frame_size;
  if (note.has_max_streams)
    w->peer_max_streams = note.max_streams;
  if (note.has_table) {
    uint32_t low = note.table_min < CF_ENGINE_TABLE_MAX ? note.table_min
                                                        : CF_ENGINE_TABLE_MAX;
    uint32_t last = note.table_last < CF_ENGINE_TABLE_MAX ? note.table_last
                                                          : CF_ENGINE_TABLE_MAX;
    h2e_hpack_decoder_set_max_table_size(w->decoder, low);
    h2e_hpack_decoder_set_max_table_size(w->decoder, last);
  }
}

static void cf_wire_ping(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  if (f->hd.flags & H2E_FLAG_ACK) {
    if (!r->mirror.pings_lost)
      CF_CHECK(cf_mirror_take_ping(r, f->u.ping.opaque_data),
               "ping_ack_matches");
    return;
  }
  if (w->ping_count == CF_ENGINE_NOTES) /* the peer ignores the oldest */
    w->ping_head = (w->ping_head + 1) % CF_ENGINE_NOTES, w->ping_count--;
  memcpy(w->pings[(w->ping_head + w->ping_count++) % CF_ENGINE_NOTES],
         f->u.ping.opaque_data, 8);
}

static void cf_wire_goaway(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  uint32_t last = f->u.goaway.last_stream_id;
  CF_TRACE(r, "  wire: GOAWAY last %u code %u\n", last, f->u.goaway.error_code);
  /* RFC 9113 §6.8: the last stream id may not increase. */
  CF_CHECK(!w->goaway_seen || last <= w->goaway_last_id,
           "goaway_last_id_grows");
  if (!w->goaway_seen || last < w->goaway_min_last_id)
    w->goaway_min_last_id = last;
  w->goaway_seen = 1;
  w->goaway_last_id = last;
  if (f->u.goaway.error_code != H2E_NO_ERROR)
    w->error_goaway = 1;
}

/* RFC 9113 §6.9.1: the credit we give never lets the peer's view of our
 * connection window pass 2^31-1 (DATA received so far is a lower bound of
 * what had arrived when the increment was chosen, so this never errs). */
static void cf_wire_conn_update(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  w->conn_credit_granted += f->u.window_update.increment;
  CF_CHECK(65535 + w->conn_credit_granted <=
               (uint64_t)H2E_MAX_WINDOW_SIZE + r->mirror.data_received,
           "granted_window_overflow");
}

static void cf_wire_stream_frame(cf_run *r, const h2e_frame *f) {
  cf_stream *st = cf_stream_get(&r->streams, f->hd.stream_id, 1);
  if (st == NULL)
    return;
  if (f->hd.type == H2E_FRAME_RST_STREAM) {
    /* RFC 9113 §5.1: the stream is closed once reset. */
    CF_CHECK(!st->rst_sent, "rst_twice");
    st->rst_sent = 1;
    return;
  }
  CF_CHECK(!st->rst_sent, "frame_after_rst"); /* WINDOW_UPDATE */
}

/* ---- the frame loop ----------------------------------------------------- */

static void cf_wire_frame(cf_run *r, const h2e_frame *f) {
  cf_wire *w = &r->wire;
  CF_TRACE(r, "  wire: %s flags 0x%x stream %u length %u\n",
           h2e_frame_type_name(f->hd.type), f->hd.flags, f->hd.stream_id,
           f->hd.length);
  /* RFC 9113 §3.4: the connection preface's SETTINGS comes first. */
  if (w->frames++ == 0)
    CF_CHECK(f->hd.type == H2E_FRAME_SETTINGS && !(f->hd.flags & H2E_FLAG_ACK),
             "first_frame_settings");
  /* RFC 9113 §5.4.1: after a GOAWAY for an error, the connection closes. */
  CF_CHECK(!w->error_goaway, "frame_after_error_goaway");
  CF_CHECK(f->hd.length <= w->peer_max_frame, "frame_size");
  /* RFC 9113 §4.3: nothing between a block's frames. */
  if (w->block_open)
    CF_CHECK(f->hd.type == H2E_FRAME_CONTINUATION &&
                 f->hd.stream_id == w->block_stream,
             "block_contiguous");
  switch (f->hd.type) {
  case H2E_FRAME_DATA:
    cf_wire_data(r, f);
    break;
  case H2E_FRAME_HEADERS:
    cf_wire_headers(r, f);
    break;
  case H2E_FRAME_CONTINUATION:
    cf_wire_continuation(r, f);
    break;
  case H2E_FRAME_SETTINGS:
    cf_wire_settings(r, f);
    break;
  case H2E_FRAME_PING:
    cf_wire_ping(r, f);
    break;
  case H2E_FRAME_GOAWAY:
    cf_wire_goaway(r, f);
    break;
  case H2E_FRAME_RST_STREAM:
  case H2E_FRAME_WINDOW_UPDATE:
    if (f->hd.stream_id != 0)
      cf_wire_stream_frame(r, f);
    else if (f->hd.type == H2E_FRAME_WINDOW_UPDATE)
      cf_wire_conn_update(r, f);
    break;
  case H2E_FRAME_PUSH_PROMISE:
    cf_wire_push_promise(r, f);
    break;
  default:
    break;
  }
}

static void cf_wire_parse(cf_run *r) {
  cf_wire *w = &r->wire;
  size_t pos = 0;
  if (w->preface_left > 0 && w->len > 0) {
    size_t n = w->len < w->preface_left ? w->len : w->preface_left;
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    CF_CHECK(memcmp(w->buf, preface + (24 - w->preface_left), n) == 0,
             "client_preface");
    w->preface_left -= n;
    pos = n;
  }
  while (pos < w->len) {
    h2e_frame frame;
    h2e_frame_error err;
    ptrdiff_t rc = h2e_frame_parse(w->buf + pos, w->len - pos,
                                   H2E_MAX_FRAME_SIZE_MAX, &frame, &err);
    if (rc == H2E_ERR_NEED_MORE)
      break;
    CF_CHECK(rc > 0, "frame_parses");
    if (rc <= 0) { /* unparseable: stop checking this run's output */
      pos = w->len;
      break;
    }
    cf_wire_frame(r, &frame);
    pos += (size_t)rc;
  }
  if (pos > 0)
    memmove(w->buf, w->buf + pos, w->len - pos);
  w->len -= pos;
}

/* n octets the engine wrote (and the caller sent). */
static void cf_wire_push(cf_run *r, const uint8_t *p, size_t n) {
  cf_wire *w = &r->wire;
  if (n == 0)
    return;
  cf_grow(&w->buf, &w->cap, w->len + n);
  memcpy(w->buf + w->len, p, n);
  w->len += n;
}

#endif
