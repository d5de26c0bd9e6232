/* The peer: writes the engine's input. Raw octets from the fuzz input, or
 * frames built from a few choices (so the fuzzer reaches deep states
 * without having to learn framing): SETTINGS, header blocks encoded with
 * the peer's own HPACK encoder and cut into CONTINUATION frames, DATA,
 * WINDOW_UPDATE, RST_STREAM, PING, GOAWAY, PRIORITY, PUSH_PROMISE and the
 * extension frames, well-formed or not, on streams that exist or not. A
 * cooperative op answers the engine's SETTINGS and PINGs. */
#ifndef CONN_FUZZ_PEER_H
#define CONN_FUZZ_PEER_H

#include "conn_fuzz_fields.h"
#include "conn_fuzz_wire.h"

/* The peer keeps at most this much unconsumed input. */
#define CF_PEER_MAX       (4u << 20)
#define CF_PEER_TABLE_MAX 65536

static void cf_peer_init(cf_run *r) {
  cf_peer *p = &r->peer;
  memset(p, 0, sizeof *p);
  p->next_stream_id = r->role == H2E_SERVER ? 1 : 2;
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = CF_PEER_TABLE_MAX;
  p->encoder = h2e_hpack_encoder_new(&config, NULL);
  if (p->encoder == NULL)
    abort();
}

static void cf_peer_free(cf_run *r) {
  h2e_hpack_encoder_free(r->peer.encoder);
  free(r->peer.buf);
  free(r->peer.scratch);
}

static size_t cf_peer_pending(const cf_run *r) {
  return r->peer.len - r->peer.head;
}

static void cf_peer_append(cf_run *r, const uint8_t *data, size_t n) {
  cf_peer *p = &r->peer;
  if (p->head > 0 && p->head >= p->len / 2) { /* consumed octets go */
    memmove(p->buf, p->buf + p->head, p->len - p->head);
    p->len -= p->head;
    p->head = 0;
  }
  if (p->len + n > CF_PEER_MAX)
    return;
  cf_grow(&p->buf, &p->cap, p->len + n);
  if (n)
    memcpy(p->buf + p->len, data, n);
  p->len += n;
}

static void cf_peer_frame(cf_run *r, uint8_t type, uint8_t flags,
                          uint32_t stream_id, const uint8_t *payload,
                          size_t len) {
  uint8_t hd[H2E_FRAME_HEADER_LEN];
  CF_TRACE(r, "  peer: %s flags 0x%x stream %u length %zu\n",
           h2e_frame_type_name(type), flags, stream_id, len);
  h2e_frame_write_header(hd, (uint32_t)len, type, flags, stream_id);
  cf_peer_append(r, hd, sizeof hd);
  cf_peer_append(r, payload, len);
}

static uint8_t *cf_peer_scratch(cf_run *r, size_t n) {
  cf_grow(&r->peer.scratch, &r->peer.scratch_cap, n);
  return r->peer.scratch;
}

/* A stream for the peer to aim at: one seen lately, a new one of the
 * peer's, 0, small ids, the largest ids. */
static uint32_t cf_peer_stream(cf_run *r, uint8_t choice) {
  uint32_t recent = cf_streams_recent(&r->streams, choice);
  switch (choice >> 5) {
  case 0:
  case 1:
  case 2:
    if (recent)
      return recent;
    /* fall through */
  case 3: {
    uint32_t id = r->peer.next_stream_id;
    if (r->peer.next_stream_id < 0x7ffffffeu)
      r->peer.next_stream_id += 2;
    cf_streams_note(&r->streams, id);
    return id;
  }
  case 4:
    return 0;
  case 5:
    return choice & 31;
  case 6:
    return 0x7fffffffu - (choice & 31);
  default:
    return recent + (choice & 7);
  }
}

/* ---- frames ------------------------------------------------------------- */

static void cf_peer_settings(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  if (ctl & 1) { /* an ACK, rarely with a payload (FRAME_SIZE_ERROR) */
    static const uint8_t junk[6];
    cf_peer_frame(r, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, junk,
                  (ctl & 0x6) == 0x6 ? 6 : 0);
    return;
  }
  size_t count = (ctl >> 1) & 7;
  uint8_t payload[6 * 8];
  for (size_t i = 0; i < count; i++) {
    uint8_t id = fuzz_byte(&r->in);
    uint16_t setting_id = id < 200 ? (uint16_t)(id % 11) : (uint16_t)id;
    payload[6 * i] = (uint8_t)(setting_id >> 8);
    payload[6 * i + 1] = (uint8_t)setting_id;
    cf_put_u32(payload + 6 * i + 2, cf_pick_u32(fuzz_byte(&r->in)));
  }
  uint32_t stream = (ctl & 0xc0) == 0xc0 ? 1 : 0;
  cf_peer_frame(r, H2E_FRAME_SETTINGS, 0, stream, payload, 6 * count);
}

/* Cuts a block into HEADERS/PUSH_PROMISE + CONTINUATION frames. */
static void cf_peer_block_frames(cf_run *r, uint8_t type, uint8_t flags,
                                 uint32_t stream_id, const uint8_t *prefix,
                                 size_t prefix_len, const uint8_t *block,
                                 size_t len, size_t fragment, int end_headers) {
  size_t first = fragment && fragment < len ? fragment : len;
  uint8_t last_flags = end_headers ? H2E_FLAG_END_HEADERS : 0;
  uint8_t *frame = malloc(prefix_len + first + 1);
  if (frame == NULL)
    abort();
  memcpy(frame, prefix, prefix_len);
  if (first)
    memcpy(frame + prefix_len, block, first);
  cf_peer_frame(r, type, (uint8_t)(flags | (first == len ? last_flags : 0)),
                stream_id, frame, prefix_len + first);
  free(frame);
  for (size_t pos = first; pos < len;) {
    size_t n = len - pos < fragment ? len - pos : fragment;
    cf_peer_frame(r, H2E_FRAME_CONTINUATION, pos + n == len ? last_flags : 0,
                  stream_id, block + pos, n);
    pos += n;
  }
}

static size_t cf_peer_encode(cf_run *r, cf_message kind, uint8_t **block) {
  h2e_field fields[CF_FIELDS_MAX];
  size_t count = cf_make_fields(&r->in, kind, fields);
  size_t bound = h2e_hpack_encode_bound(r->peer.encoder, fields, count);
  *block = cf_peer_scratch(r, bound + 1);
  ptrdiff_t len =
      h2e_hpack_encode(r->peer.encoder, fields, count, *block, bound);
  return len > 0 ? (size_t)len : 0;
}

static size_t cf_fragment_size(uint8_t choice) {
  static const size_t sizes[8] = {0, 0, 0, 1, 7, 100, 16384, 16385};
  return sizes[choice & 7];
}

/* ctl: END_STREAM, PADDED, PRIORITY, fragment size, END_HEADERS left out. */
static void cf_peer_headers(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t stream_id = cf_peer_stream(r, fuzz_byte(&r->in));
  cf_message kind = r->role == H2E_SERVER ? CF_REQUEST : CF_RESPONSE;
  if ((ctl & 0x30) == 0x30)
    kind = r->role == H2E_SERVER ? CF_TRAILERS : CF_INFORMATIONAL;
  uint8_t *block;
  size_t len = cf_peer_encode(r, kind, &block);
  uint8_t prefix[6];
  size_t prefix_len = 0;
  uint8_t flags = ctl & H2E_FLAG_END_STREAM;
  if (ctl & 0x02) { /* PADDED, with a Pad Length of 0 */
    flags |= H2E_FLAG_PADDED;
    prefix[prefix_len++] = 0;
  }
  if (ctl & 0x40) { /* PRIORITY: depend on stream 0 or on itself */
    flags |= H2E_FLAG_PRIORITY;
    cf_put_u32(prefix + prefix_len, (ctl & 0x08) ? stream_id : 0);
    prefix[prefix_len + 4] = 15;
    prefix_len += 5;
  }
  int end_headers = (ctl & 0x84) != 0x84;
  cf_peer_block_frames(r, H2E_FRAME_HEADERS, flags, stream_id, prefix,
                       prefix_len, block, len, cf_fragment_size(ctl >> 3),
                       end_headers);
}

static void cf_peer_push_promise(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t associated = cf_peer_stream(r, fuzz_byte(&r->in));
  uint32_t promised = (ctl & 1) ? cf_peer_stream(r, fuzz_byte(&r->in))
                                : cf_peer_stream(r, 0x60);
  uint8_t *block;
  size_t len = cf_peer_encode(r, CF_REQUEST, &block);
  uint8_t prefix[4];
  cf_put_u32(prefix, promised);
  cf_peer_block_frames(r, H2E_FRAME_PUSH_PROMISE, 0, associated, prefix, 4,
                       block, len, cf_fragment_size(ctl >> 1), 1);
}

static uint32_t cf_data_length(uint8_t choice) {
  static const uint32_t lengths[16] = {
      0,     1,     5,     100,    1024, 4096, 16383, 16384,
      16385, 65535, 65536, 100000, 10,   300,  8000,  2};
  return choice < 0xf0 ? lengths[choice % 16] : (uint32_t)(choice & 15) * 999;
}

/* ctl: END_STREAM, PADDED (pad length from the input). */
static void cf_peer_data(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t stream_id = cf_peer_stream(r, fuzz_byte(&r->in));
  uint32_t len = cf_data_length(fuzz_byte(&r->in));
  uint8_t pad = (ctl & H2E_FLAG_PADDED) ? fuzz_byte(&r->in) : 0;
  size_t total = len + ((ctl & H2E_FLAG_PADDED) ? 1u + pad : 0u);
  if ((ctl & 0x40) && pad > 0) /* Pad Length beyond the payload */
    total = len ? len : 1;
  uint8_t *payload = cf_peer_scratch(r, total + 1);
  memset(payload, 0, total + 1);
  size_t pos = 0;
  if (ctl & H2E_FLAG_PADDED)
    payload[pos++] = pad;
  for (uint32_t i = 0; i < len && pos < total; i++)
    payload[pos++] = (uint8_t)('a' + i % 26);
  cf_peer_frame(r, H2E_FRAME_DATA,
                ctl & (H2E_FLAG_END_STREAM | H2E_FLAG_PADDED), stream_id,
                payload, total);
}

static void cf_peer_window_update(cf_run *r) {
  uint32_t stream_id = cf_peer_stream(r, fuzz_byte(&r->in));
  uint8_t payload[4];
  cf_put_u32(payload, cf_pick_u32(fuzz_byte(&r->in)));
  cf_peer_frame(r, H2E_FRAME_WINDOW_UPDATE, 0, stream_id, payload, 4);
}

static void cf_peer_rst(cf_run *r) {
  uint32_t stream_id = cf_peer_stream(r, fuzz_byte(&r->in));
  uint8_t payload[4];
  cf_put_u32(payload, fuzz_byte(&r->in) % 16);
  cf_peer_frame(r, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4);
}

static void cf_peer_ping(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint8_t payload[8];
  memset(payload, ctl, sizeof payload);
  payload[0] = fuzz_byte(&r->in);
  cf_peer_frame(r, H2E_FRAME_PING, ctl & H2E_FLAG_ACK, (ctl & 0x80) ? 1 : 0,
                payload, (ctl & 0x40) ? 7 : 8);
}

static void cf_peer_goaway(cf_run *r) {
  uint8_t ctl = fuzz_byte(&r->in);
  uint32_t last = cf_peer_stream(r, fuzz_byte(&r->in));
  uint8_t payload[8 + 32];
  cf_put_u32(payload, (ctl & 0x80) ? 0x7fffffffu : last);
  cf_put_u32(payload + 4, (ctl & 0x40) ? H2E_NO_ERROR : (uint32_t)(ctl % 20));
  size_t debug = ctl & 0x1f;
  memset(payload + 8, 'd', debug);
  cf_peer_frame(r, H2E_FRAME_GOAWAY, 0, 0, payload, 8 + debug);
}

/* PRIORITY, PRIORITY_UPDATE, ALTSVC, ORIGIN, an unknown type, a stray
 * CONTINUATION, empty DATA. */
static void cf_peer_misc(cf_run *r) {
  uint8_t kind = fuzz_byte(&r->in);
  uint32_t stream_id = cf_peer_stream(r, fuzz_byte(&r->in));
  uint8_t payload[32];
  switch (kind % 8) {
  case 0:
    cf_put_u32(payload, (kind & 0x80) ? stream_id : 0);
    payload[4] = kind;
    cf_peer_frame(r, H2E_FRAME_PRIORITY, 0, stream_id, payload,
                  (kind & 0x40) ? 4 : 5);
    break;
  case 1:
    cf_put_u32(payload, stream_id);
    memcpy(payload + 4, "u=1, i", 6);
    cf_peer_frame(r, H2E_FRAME_PRIORITY_UPDATE, 0, (kind & 0x80) ? 1 : 0,
                  payload, 4 + (kind >> 4 & 7));
    break;
  case 2:
    payload[0] = 0;
    payload[1] = (kind & 0x80) ? 11 : 0;
    memcpy(payload + 2, "example.comh2=\":443\"", 20);
    cf_peer_frame(r, H2E_FRAME_ALTSVC, 0, (kind & 0x40) ? stream_id : 0,
                  payload, 22);
    break;
  case 3:
    payload[0] = 0;
    payload[1] = 19;
    memcpy(payload + 2, "https://example.com", 19);
    cf_peer_frame(r, H2E_FRAME_ORIGIN, 0, (kind & 0x40) ? stream_id : 0,
                  payload, (kind & 0x80) ? 15 : 21);
    break;
  case 4:
    memset(payload, kind, sizeof payload);
    cf_peer_frame(r, (uint8_t)(0x20 + (kind >> 4)), kind, stream_id, payload,
                  kind & 31);
    break;
  case 5:
    payload[0] = 0x82;
    cf_peer_frame(r, H2E_FRAME_CONTINUATION,
                  (kind & 0x80) ? H2E_FLAG_END_HEADERS : 0, stream_id, payload,
                  (kind & 0x40) ? 1 : 0);
    break;
  default:
    for (uint32_t i = 0; i < (uint32_t)(kind >> 3) + 1u; i++)
      cf_peer_frame(r, (kind & 1) ? H2E_FRAME_DATA : H2E_FRAME_HEADERS,
                    (kind & 1) ? 0 : H2E_FLAG_END_HEADERS, stream_id, NULL, 0);
    break;
  }
}

/* The cooperative peer: ACKs for the engine's SETTINGS (applying its
 * table size to our encoder, RFC 7541 §4.2) and its PINGs. */
static void cf_peer_acknowledge(cf_run *r) {
  cf_wire *w = &r->wire;
  while (w->settings_count > 0) {
    cf_settings_note note = w->settings[w->settings_head];
    w->settings_head = (w->settings_head + 1) % CF_ENGINE_NOTES;
    w->settings_count--;
    cf_peer_frame(r, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, NULL, 0);
    if (note.has_table) {
      h2e_hpack_encoder_set_peer_table_size(r->peer.encoder, note.table_min);
      h2e_hpack_encoder_set_peer_table_size(r->peer.encoder, note.table_last);
    }
  }
  while (w->ping_count > 0) {
    cf_peer_frame(r, H2E_FRAME_PING, H2E_FLAG_ACK, 0, w->pings[w->ping_head],
                  8);
    w->ping_head = (w->ping_head + 1) % CF_ENGINE_NOTES;
    w->ping_count--;
  }
}

static void cf_peer_raw(cf_run *r) {
  uint8_t n = fuzz_byte(&r->in);
  size_t len = n < 0xf0 ? n : fuzz_u16(&r->in);
  const uint8_t *bytes;
  len = fuzz_take(&r->in, len, &bytes);
  cf_peer_append(r, bytes, len);
}

/* The opening a well-behaved peer sends: the preface (from a client) and
 * a SETTINGS frame. */
static void cf_peer_opening(cf_run *r, uint8_t choice) {
  static const uint8_t preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (r->role == H2E_SERVER)
    cf_peer_append(r, preface, 24);
  uint8_t payload[12];
  size_t len = 0;
  if (choice & 1) { /* a small frame size or window, a table size */
    payload[0] = 0, payload[1] = H2E_SETTINGS_INITIAL_WINDOW_SIZE;
    cf_put_u32(payload + 2, (choice & 2) ? 100 : 1u << 20);
    payload[6] = 0, payload[7] = H2E_SETTINGS_HEADER_TABLE_SIZE;
    cf_put_u32(payload + 8, (choice & 4) ? 0 : 256);
    len = 12;
  }
  cf_peer_frame(r, H2E_FRAME_SETTINGS, 0, 0, payload, len);
}

#endif
