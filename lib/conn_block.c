/* Received field blocks (RFC 9113 §4.3): HEADERS or PUSH_PROMISE, then
 * CONTINUATION frames up to END_HEADERS, nothing in between (§6.10).
 * A block whole in one frame is decoded in place; a longer one is
 * assembled first, bounded even if END_HEADERS never comes. Decoded
 * fields go to the arena, where they stay valid until the next recv. */
#include "conn.h"

#include <string.h>

/* CONTINUATION frames one block may take (a sender splits blocks by its
 * frame size, at least 16 KiB, so honest blocks need a handful). */
#define BLOCK_FRAGMENTS_MAX 128

void h2e_conn_arena_reset(h2e_conn *conn) {
  conn->arena.bytes_used = 0;
  conn->arena.fields_used = 0;
}

static const uint8_t *fragment_of(const h2e_frame *frame, size_t *len) {
  if (frame->hd.type == H2E_FRAME_HEADERS) {
    *len = frame->u.headers.block_len;
    return frame->u.headers.block;
  }
  if (frame->hd.type == H2E_FRAME_PUSH_PROMISE) {
    *len = frame->u.push_promise.block_len;
    return frame->u.push_promise.block;
  }
  *len = frame->u.continuation.block_len;
  return frame->u.continuation.block;
}

/* RFC 9113 §10.5.1: the block must be processed, so its size is bounded
 * (max_header_list_size plus slack, compressed) and a peer that goes
 * beyond, or sends endless CONTINUATION frames, loses the connection. */
static int append(h2e_conn *conn, const uint8_t *fragment, size_t len) {
  h2e_block *block = &conn->block;
  if (len > block->bound - block->len ||
      ++block->fragments > BLOCK_FRAGMENTS_MAX) {
    h2e_conn_fail(conn, H2E_ENHANCE_YOUR_CALM,
                  "RFC 9113 §10.5.1: field block too large");
    return -1;
  }
  if (block->buf == NULL && h2e_conn_block_buffer_take(conn) == NULL)
    return -1;
  if (len)
    memcpy(block->buf + block->len, fragment, len);
  block->len += len;
  return 0;
}

void h2e_conn_recv_block_start(h2e_conn *conn, const h2e_frame *frame) {
  h2e_block *block = &conn->block;
  block->frame_type = frame->hd.type;
  block->flags = frame->hd.flags & H2E_FLAG_END_STREAM;
  block->stream_id = frame->hd.stream_id;
  block->promised_id = frame->hd.type == H2E_FRAME_PUSH_PROMISE
                           ? frame->u.push_promise.promised_stream_id
                           : 0;
  block->len = 0;
  block->fragments = 0;
  size_t len;
  const uint8_t *fragment = fragment_of(frame, &len);
  if (frame->hd.type == H2E_FRAME_PUSH_PROMISE &&
      h2e_conn_push_allowed(conn) < 0)
    return;
  if (frame->hd.flags & H2E_FLAG_END_HEADERS) {
    h2e_conn_block_done(conn, fragment, len);
    return;
  }
  if (append(conn, fragment, len) == 0)
    block->active = 1;
}

void h2e_conn_recv_continuation(h2e_conn *conn, const h2e_frame *frame) {
  size_t len;
  const uint8_t *fragment = fragment_of(frame, &len);
  /* RFC 9113 §10.5: a CONTINUATION that carries next to nothing and does
   * not end the block is work for nothing; it draws on the budget. */
  if (len < H2E_TINY_FRAGMENT && !(frame->hd.flags & H2E_FLAG_END_HEADERS) &&
      h2e_conn_spend(conn) < 0)
    return;
  if (append(conn, fragment, len) < 0)
    return;
  if (frame->hd.flags & H2E_FLAG_END_HEADERS) {
    conn->block.active = 0;
    h2e_conn_block_done(conn, conn->block.buf, conn->block.len);
  }
}

/* Decodes a whole block into the arena. Returns 1 with the fields, 0 when
 * the list is too large (decoded all the same, RFC 9113 §10.5.1), or -1
 * after a connection error: COMPRESSION_ERROR (RFC 9113 §4.3), or
 * INTERNAL_ERROR when the decoder's table could not grow (§7: our own
 * failure, not the peer's). */
static int decode(h2e_conn *conn, const uint8_t *in, size_t len,
                  h2e_hpack_output *out) {
  h2e_arena *a = &conn->arena;
  if (a->fields == NULL && h2e_conn_arena_take(conn) < 0)
    return -1;
  *out = (h2e_hpack_output){a->bytes + a->bytes_used,
                            a->bytes_cap - a->bytes_used,
                            a->fields + a->fields_used,
                            a->fields_cap - a->fields_used,
                            0,
                            0,
                            0};
  h2e_hpack_decode_begin(conn->decoder, out);
  ptrdiff_t rc = h2e_hpack_decode(conn->decoder, in, len, 1);
  if (rc == H2E_ERR_HEADER_LIST_TOO_LARGE)
    return 0;
  if (rc == H2E_ERR_NOMEM) {
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
    return -1;
  }
  if (rc < 0) {
    h2e_conn_fail(conn, H2E_COMPRESSION_ERROR,
                  "RFC 9113 §4.3: field block does not decode");
    return -1;
  }
  uint32_t limit = conn->header_list_limit;
  if (out->list_size > limit)
    return 0;
  a->bytes_used += out->buf_used;
  a->fields_used += out->count;
  return 1;
}

void h2e_conn_block_done(h2e_conn *conn, const uint8_t *in, size_t len) {
  h2e_hpack_output out;
  int rc = decode(conn, in, len, &out);
  if (rc < 0)
    return;
  if (rc > 0)
    h2e_conn_http_join_cookies(conn, &out);
  h2e_field_list list = {out.fields, rc ? out.count : 0, rc == 0};
  if (conn->block.frame_type == H2E_FRAME_PUSH_PROMISE)
    h2e_conn_push_promise_received(conn, &list);
  else
    h2e_conn_headers_received(conn, &list);
}
