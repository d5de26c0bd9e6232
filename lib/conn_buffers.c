/* The connection's large buffers: the decoded-field arena, the reader's
 * and the header block's assembly buffers, the output segments, the event
 * ring, the control and header-block FIFOs, the held trailers, the
 * stream and DATA entry slots, and the record of frames awaiting an ACK. Each
 * is taken at its first use and given back once no stream has been open for
 * config.buffer_linger_ms (default 0: at the next recv or tick), so an idle
 * connection keeps only its settings, HPACK tables and closed-stream memory,
 * and a busy one allocates nothing per request (DESIGN: caller owns memory). */
#include "conn.h"

#include "mem.h"

/* Takes a buffer of size octets, or fails the connection. */
static void *take(h2e_conn *conn, size_t size) {
  void *buf = h2e_mem_alloc(&conn->allocator, size);
  if (buf == NULL)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
  return buf;
}

static void give_back(h2e_conn *conn, void *buf, size_t size) {
  h2e_mem_free(&conn->allocator, buf, size);
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

static const size_t segs_size = H2E_SEGMENTS_MAX * sizeof(h2e_out_seg);

int h2e_conn_segs_take(h2e_conn *conn) {
  if (conn->segs == NULL && (conn->segs = take(conn, segs_size)) == NULL) {
    /* Nothing can go out, not even the GOAWAY the failure queued. */
    h2e_fifo_drop_unstaged(&conn->ctrl);
    return -1;
  }
  return 0;
}

static size_t events_size(const h2e_conn *conn) {
  return conn->events.cap * sizeof(h2e_event);
}

int h2e_conn_events_take(h2e_conn *conn) {
  if (conn->events.items != NULL)
    return 0;
  /* Not through take(): the failure it raises queues an event, which may
   * take the ring itself meanwhile. */
  h2e_event *items = h2e_mem_alloc(&conn->allocator, events_size(conn));
  if (items == NULL) {
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
    return -1;
  }
  conn->events.items = items;
  return 0;
}

int h2e_conn_awaited_take(h2e_conn *conn) {
  if (conn->awaited == NULL &&
      (conn->awaited = take(conn, sizeof(h2e_awaited))) == NULL)
    return -1;
  return 0;
}

static int awaited_unused(const h2e_conn *conn) {
  return conn->awaited && conn->pending_count == 0 && conn->ping_count == 0;
}

int h2e_conn_in_reader_buffer(const h2e_conn *conn, const uint8_t *p) {
  const uint8_t *buf = conn->reader_buf;
  return buf != NULL && p >= buf && p < buf + conn->reader.buf_cap;
}

/* What an idle connection can give back at its next recv or tick. Fields
 * of queued events, or of events pulled since the last recv or tick, live
 * in the arena (h2e.h: lifetimes); an event may point into the reader's
 * buffer, a frame may be assembled there. Every event pulled ends them. */
static int arena_unused(const h2e_conn *conn) {
  const h2e_arena *a = &conn->arena;
  return (a->bytes || a->fields) &&
         (conn->events.count == 0 ||
          (a->bytes_used == 0 && a->fields_used == 0));
}

static int reader_buffer_unused(const h2e_conn *conn) {
  return conn->reader_buf && conn->reader.buf_have == 0 &&
         (conn->events.count == 0 || !conn->reader_pinned);
}

static int block_buffer_unused(const h2e_conn *conn) {
  return conn->block.buf && !conn->block.active;
}

static int segs_unused(const h2e_conn *conn) {
  return conn->segs && conn->seg_count == 0;
}

static int held_unused(const h2e_conn *conn) {
  return conn->held && conn->held_used == 0;
}

static int output_unused(const h2e_conn *conn) {
  return segs_unused(conn) || h2e_fifo_unused(&conn->ctrl) ||
         h2e_fifo_unused(&conn->blocks) || held_unused(conn) ||
         h2e_slab_unused(&conn->entries);
}

static int events_unused(const h2e_conn *conn) {
  return conn->events.items && conn->events.count == 0;
}

static int anything_unused(const h2e_conn *conn) {
  return arena_unused(conn) || reader_buffer_unused(conn) ||
         block_buffer_unused(conn) || output_unused(conn) ||
         events_unused(conn) || awaited_unused(conn) ||
         h2e_stream_table_unused(&conn->streams);
}

uint64_t h2e_conn_buffers_deadline(const h2e_conn *conn) {
  if (conn->streams.count != 0 || !anything_unused(conn))
    return UINT64_MAX;
  return conn->idle_since_ms + conn->config.buffer_linger_ms;
}

void h2e_conn_slices_end(h2e_conn *conn) {
  if (conn->events.count != 0)
    return;
  h2e_conn_arena_reset(conn);
  conn->reader_pinned = 0;
}

/* Each gives its buffer back and forgets it (nothing when there is none):
 * at idle when unused, and all of them at h2e_conn_free. */
static void drop_arena(h2e_conn *conn) {
  h2e_arena *a = &conn->arena;
  give_back(conn, a->bytes, a->bytes_cap);
  give_back(conn, a->fields, a->fields_cap * sizeof(h2e_field));
  a->bytes = NULL;
  a->fields = NULL;
}

static void drop_reader_buffer(h2e_conn *conn) {
  h2e_frame_reader_set_buffer(&conn->reader, NULL);
  give_back(conn, conn->reader_buf, conn->reader.buf_cap);
  conn->reader_buf = NULL;
}

static void drop_block_buffer(h2e_conn *conn) {
  give_back(conn, conn->block.buf, conn->block.cap);
  conn->block.buf = NULL;
  conn->block.cap = 0;
}

static void drop_segs(h2e_conn *conn) {
  give_back(conn, conn->segs, segs_size);
  conn->segs = NULL;
  conn->seg_head = 0;
}

static void drop_events(h2e_conn *conn) {
  give_back(conn, conn->events.items, events_size(conn));
  conn->events.items = NULL;
  conn->events.head = 0;
}

static void drop_awaited(h2e_conn *conn) {
  give_back(conn, conn->awaited, sizeof(h2e_awaited));
  conn->awaited = NULL;
}

static void release_input(h2e_conn *conn) {
  if (arena_unused(conn))
    drop_arena(conn);
  if (reader_buffer_unused(conn))
    drop_reader_buffer(conn);
  if (block_buffer_unused(conn))
    drop_block_buffer(conn);
}

static void release_output(h2e_conn *conn) {
  if (segs_unused(conn))
    drop_segs(conn);
  h2e_fifo_release(&conn->ctrl);
  h2e_fifo_release(&conn->blocks);
  if (held_unused(conn)) {
    give_back(conn, conn->held, conn->held_cap);
    conn->held = NULL;
  }
  h2e_slab_release(&conn->entries, &conn->allocator);
}

void h2e_conn_buffers_release_idle(h2e_conn *conn) {
  if (h2e_conn_buffers_deadline(conn) > conn->now_ms)
    return;
  release_input(conn);
  release_output(conn);
  if (events_unused(conn))
    drop_events(conn);
  if (awaited_unused(conn))
    drop_awaited(conn);
  h2e_stream_table_release(&conn->streams, &conn->allocator);
}

void h2e_conn_buffers_free(h2e_conn *conn) {
  drop_arena(conn);
  drop_reader_buffer(conn);
  drop_block_buffer(conn);
  drop_segs(conn);
  drop_events(conn);
  drop_awaited(conn);
}
