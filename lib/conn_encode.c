/* Our header blocks: HPACK-encoded at submit time straight into the
 * header-block FIFO, in submission order, so the encoder's state follows
 * the order on the wire (RFC 9113 §4.3), and split into HEADERS and
 * CONTINUATION frames by the peer's SETTINGS_MAX_FRAME_SIZE (§4.2). */
#include "conn.h"

#include "frame.h"
#include "hpack_inspect.h"

#include <string.h>

static uint32_t peer_max_frame(const h2e_conn *conn) {
  return conn->peer_settings[H2E_SETTINGS_MAX_FRAME_SIZE];
}

size_t h2e_conn_block_room(const h2e_conn *conn, const h2e_field *fields,
                           size_t count) {
  size_t bound = h2e_hpack_encode_bound(conn->encoder, fields, count);
  size_t frames = bound / peer_max_frame(conn) + 1;
  if (bound > SIZE_MAX / 2)
    return SIZE_MAX;
  return bound + frames * H2E_FRAME_HEADER_LEN;
}

/* Spreads the payload at p + 9 (a PUSH_PROMISE's promised id, then the
 * encoded block) into frames of at most max octets: `type` first,
 * CONTINUATION after; returns the octets used. */
static size_t frame_block(uint8_t *p, size_t len, uint32_t max,
                          uint32_t stream_id, uint8_t type, uint8_t flags) {
  size_t frames = len == 0 ? 1 : (len + max - 1) / max;
  for (size_t i = frames; i-- > 1;) {
    size_t chunk = i + 1 < frames ? max : len - i * max;
    uint8_t *dst = p + i * (H2E_FRAME_HEADER_LEN + max);
    memmove(dst + H2E_FRAME_HEADER_LEN, p + H2E_FRAME_HEADER_LEN + i * max,
            chunk);
    h2e_frame_write_header(dst, (uint32_t)chunk, H2E_FRAME_CONTINUATION,
                           i + 1 == frames ? H2E_FLAG_END_HEADERS : 0,
                           stream_id);
  }
  size_t first = frames == 1 ? len : max;
  if (frames == 1)
    flags |= H2E_FLAG_END_HEADERS;
  h2e_frame_write_header(p, (uint32_t)first, type, flags, stream_id);
  return len + frames * H2E_FRAME_HEADER_LEN;
}

/* Remembers where the stream's block is and whether the peer's decoder
 * needs it: a block that added no table entry and opened with no size
 * update (RFC 7541 §6.3: first octet 001xxxxx) changes no HPACK state. */
static void note_block(h2e_conn *conn, h2e_stream *stream, const uint8_t *block,
                       size_t len, uint32_t inserted) {
  const h2e_hpack_table *table = h2e_hpack_encoder_table(conn->encoder);
  stream->block_alone =
      stream->blocks_end <= h2e_fifo_staged_pos(&conn->blocks);
  stream->block_start = h2e_fifo_tail_pos(&conn->blocks);
  stream->block_stateless = h2e_hpack_table_next(table) == inserted &&
                            (len == 0 || (block[0] & 0xe0) != 0x20);
}

/* Encodes the fields behind a frame header and `prefix` octets at p
 * (room octets reserved there); returns the block length or -1. */
static ptrdiff_t encode_fields(h2e_conn *conn, h2e_stream *stream, uint8_t *p,
                               size_t room, size_t prefix,
                               const h2e_field *fields, size_t count) {
  uint32_t inserted =
      h2e_hpack_table_next(h2e_hpack_encoder_table(conn->encoder));
  uint8_t *block = p + H2E_FRAME_HEADER_LEN + prefix;
  ptrdiff_t len = h2e_hpack_encode(conn->encoder, fields, count, block,
                                   room - H2E_FRAME_HEADER_LEN - prefix);
  if (len >= 0)
    note_block(conn, stream, block, (size_t)len, inserted);
  return len;
}

/* Reserves room in the blocks FIFO and encodes fields there, leaving
 * prefix octets of payload before the block (PUSH_PROMISE's promised id).
 * Returns the block's length with *at set, or an error. */
static ptrdiff_t encode_reserved(h2e_conn *conn, h2e_stream *stream,
                                 size_t room, size_t prefix,
                                 const h2e_field *fields, size_t count,
                                 uint8_t **at) {
  uint8_t *p = h2e_fifo_reserve(&conn->blocks, room);
  if (p == NULL)
    return conn->blocks.buf ? H2E_ERR_WOULDBLOCK : H2E_ERR_NOMEM;
  ptrdiff_t len = encode_fields(conn, stream, p, room, prefix, fields, count);
  *at = p;
  return len < 0 ? H2E_ERR_INTERNAL : len;
}

int h2e_conn_encode_block(h2e_conn *conn, h2e_stream *stream,
                          const h2e_field *fields, size_t count,
                          uint8_t end_stream) {
  size_t room = h2e_conn_block_room(conn, fields, count);
  if (room > conn->blocks.cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  uint8_t *p;
  ptrdiff_t len = encode_reserved(conn, stream, room, 0, fields, count, &p);
  if (len < 0)
    return (int)len;
  uint8_t flags = end_stream ? H2E_FLAG_END_STREAM : 0;
  h2e_fifo_commit(&conn->blocks,
                  frame_block(p, (size_t)len, peer_max_frame(conn), stream->id,
                              H2E_FRAME_HEADERS, flags));
  stream->blocks_end = h2e_fifo_tail_pos(&conn->blocks);
  /* RFC 9113 §8.1: an informational response is no head for a body. */
  if (!h2e_fields_informational(fields, count))
    stream->head_sent = 1;
  return H2E_OK;
}

size_t h2e_conn_promise_room(const h2e_conn *conn, const h2e_field *fields,
                             size_t count) {
  size_t room = h2e_conn_block_room(conn, fields, count);
  /* the promised id, which may take a frame header more */
  return room > SIZE_MAX / 2 ? SIZE_MAX : room + 4 + H2E_FRAME_HEADER_LEN;
}

int h2e_conn_encode_promise(h2e_conn *conn, h2e_stream *associated,
                            h2e_stream *promised, const h2e_field *fields,
                            size_t count) {
  size_t room = h2e_conn_promise_room(conn, fields, count);
  uint8_t *p;
  ptrdiff_t len = encode_reserved(conn, associated, room, 4, fields, count, &p);
  if (len < 0)
    return (int)len;
  /* RFC 9113 §6.6: Promised Stream ID, then the field block fragment. */
  h2e_put_u32(p + H2E_FRAME_HEADER_LEN, promised->id);
  h2e_fifo_commit(&conn->blocks,
                  frame_block(p, (size_t)len + 4, peer_max_frame(conn),
                              associated->id, H2E_FRAME_PUSH_PROMISE, 0));
  /* The promise is never withdrawn (the peer must hear of the stream it
   * reserves), and nothing of either stream goes out before it. */
  associated->blocks_end = h2e_fifo_tail_pos(&conn->blocks);
  associated->block_alone = 0;
  promised->blocks_end = associated->blocks_end;
  return H2E_OK;
}

void h2e_conn_sent_end_stream(h2e_conn *conn, h2e_stream *stream) {
  h2e_transition t =
      h2e_stream_transition((h2e_sstate)stream->state, H2E_SI_SEND_END_STREAM);
  if (t.outcome != H2E_SO_OK)
    return;
  h2e_conn_stream_enter(conn, stream, (h2e_sstate)t.next);
  if (t.next == H2E_SS_CLOSED) {
    h2e_conn_event_stream_end(conn, stream, H2E_EV_STREAM_CLOSED, 0, 0, 0);
    h2e_conn_close_stream(conn, stream, H2E_SS_CLOSED);
  }
}

/* RFC 9113 §6.4: after the peer's RST_STREAM, nothing more goes out on
 * the stream. A block not yet staged is taken back when the peer's HPACK
 * decoder does not need it; otherwise it goes out all the same, since
 * the decoder must process it (§4.3) and the peer discards it (§5.1). */
void h2e_conn_withdraw_block(h2e_conn *conn, h2e_stream *stream) {
  h2e_fifo *fifo = &conn->blocks;
  if (stream->blocks_end <= h2e_fifo_staged_pos(fifo) || !stream->block_alone ||
      !stream->block_stateless ||
      stream->block_start < h2e_fifo_staged_pos(fifo))
    return;
  uint64_t start = stream->block_start;
  uint64_t len = stream->blocks_end - start;
  h2e_fifo_remove(fifo, start, (size_t)len);
  stream->blocks_end = start;
  for (uint32_t i = 0; i < conn->streams.slots.grown; i++) {
    h2e_stream *other = h2e_stream_at(&conn->streams, i);
    if (other && other->blocks_end > start) {
      other->blocks_end -= len;
      other->block_start -= other->block_start > start ? len : 0;
    }
  }
}
