/* The connection's large buffers: the decoded-field arena, the reader's
 * assembly buffer and the header-block assembly buffer (the output FIFO
 * of header blocks and the stream and DATA entry pools take and give
 * back their own). Each is taken at its first use and given back once no stream
 * has been open for H2E_BUFFERS_IDLE_MS, so an idle connection is small while a
 * busy one allocates nothing per request (DESIGN: caller owns memory). */
#include "conn.h"

#include "mem.h"

/* Takes a buffer of size octets, or fails the connection. */
static void *take(h2e_conn *conn, size_t size) {
  void *buf = h2e_mem_alloc(&conn->allocator, size);
  if (buf == NULL)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
  return buf;
}

int h2e_conn_arena_take(h2e_conn *conn) {
  h2e_arena *a = &conn->arena;
  if (a->bytes == NULL && (a->bytes = take(conn, a->bytes_cap)) == NULL)
    return -1;
  if (a->fields == NULL &&
      (a->fields = take(conn, a->fields_cap * sizeof(h2e_field))) == NULL)
    return -1;
  return 0;
}

int h2e_conn_reader_buffer_take(h2e_conn *conn) {
  if (conn->reader_buf == NULL &&
      (conn->reader_buf = take(conn, conn->reader.buf_cap)) == NULL)
    return -1;
  h2e_frame_reader_set_buffer(&conn->reader, conn->reader_buf);
  return 0;
}

uint8_t *h2e_conn_block_buffer_take(h2e_conn *conn) {
  h2e_block *block = &conn->block;
  if (block->buf == NULL && (block->buf = take(conn, block->bound)) != NULL)
    block->cap = block->bound;
  return block->buf;
}

int h2e_conn_in_reader_buffer(const h2e_conn *conn, const uint8_t *p) {
  const uint8_t *buf = conn->reader_buf;
  return buf != NULL && p >= buf && p < buf + conn->reader.buf_cap;
}

static void give_back(h2e_conn *conn, void *buf, size_t size) {
  h2e_mem_free(&conn->allocator, buf, size);
}

/* What an idle connection can give back now. Fields of queued events,
 * or handed out since the last recv, live in the arena until the next
 * recv (h2e.h: lifetimes); an event may point into the reader's buffer,
 * a frame may be assembled there. */
static int arena_unused(const h2e_conn *conn) {
  const h2e_arena *a = &conn->arena;
  return (a->bytes || a->fields) && a->bytes_used == 0 && a->fields_used == 0;
}

static int reader_buffer_unused(const h2e_conn *conn) {
  return conn->reader_buf && !conn->reader_pinned && conn->reader.buf_have == 0;
}

static int block_buffer_unused(const h2e_conn *conn) {
  return conn->block.buf && !conn->block.active;
}

static int slab_unused(const h2e_slab *slab) {
  return slab->grown > 0 && slab->in_use == 0;
}

static int anything_unused(const h2e_conn *conn) {
  return arena_unused(conn) || reader_buffer_unused(conn) ||
         block_buffer_unused(conn) ||
         (conn->blocks.buf && h2e_fifo_empty(&conn->blocks)) ||
         slab_unused(&conn->streams.slots) || slab_unused(&conn->entries);
}

uint64_t h2e_conn_buffers_deadline(const h2e_conn *conn) {
  if (conn->streams.count != 0 || !anything_unused(conn))
    return UINT64_MAX;
  return conn->idle_since_ms + H2E_BUFFERS_IDLE_MS;
}

void h2e_conn_buffers_release_idle(h2e_conn *conn) {
  if (h2e_conn_buffers_deadline(conn) > conn->now_ms)
    return;
  h2e_arena *a = &conn->arena;
  if (arena_unused(conn)) {
    give_back(conn, a->bytes, a->bytes_cap);
    give_back(conn, a->fields, a->fields_cap * sizeof(h2e_field));
    a->bytes = NULL;
    a->fields = NULL;
  }
  if (reader_buffer_unused(conn)) {
    h2e_frame_reader_set_buffer(&conn->reader, NULL);
    give_back(conn, conn->reader_buf, conn->reader.buf_cap);
    conn->reader_buf = NULL;
  }
  if (block_buffer_unused(conn)) {
    give_back(conn, conn->block.buf, conn->block.cap);
    conn->block.buf = NULL;
    conn->block.cap = 0;
  }
  h2e_fifo_release(&conn->blocks);
  h2e_slab_release(&conn->streams.slots, &conn->allocator);
  h2e_slab_release(&conn->entries, &conn->allocator);
}

void h2e_conn_buffers_free(h2e_conn *conn) {
  const h2e_arena *a = &conn->arena;
  give_back(conn, a->bytes, a->bytes_cap);
  give_back(conn, a->fields, a->fields_cap * sizeof(h2e_field));
  give_back(conn, conn->reader_buf, conn->reader.buf_cap);
  give_back(conn, conn->block.buf, conn->block.cap);
}
