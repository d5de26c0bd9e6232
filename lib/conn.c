/* The connection: creation, the receive loop, state queries, and the
 * stream bookkeeping every other conn_*.c file shares. */
#include "conn.h"
#include "conn_sizes.h"

#include "mem.h"

#include <string.h>

/* The large buffers are taken at first use (conn_buffers.c): only their
 * sizes are set here. */
static int plan_buffers(h2e_conn *conn, const h2e_conn_sizes *s) {
  conn->arena.bytes_cap = s->arena_bytes;
  conn->arena.fields_cap = s->arena_fields;
  conn->arena.block_bytes = s->arena_bytes - H2E_ARENA_SLACK_BYTES;
  conn->arena.block_fields = s->arena_fields - H2E_ARENA_SLACK_FIELDS;
  conn->block.bound = s->block_bound;
  return h2e_frame_reader_init(&conn->reader, NULL, conn->config.max_frame_size,
                               H2E_MAX_FRAME_SIZE_MIN, H2E_READER_STREAM_DATA);
}

static int create_hpack(h2e_conn *conn, const h2e_conn_sizes *s) {
  h2e_hpack_encoder_config enc;
  h2e_hpack_encoder_config_init(&enc);
  conn->encoder = h2e_hpack_encoder_new(&enc, &conn->allocator);
  h2e_hpack_decoder_config dec;
  h2e_hpack_decoder_config_init(&dec);
  dec.max_table_size = (uint32_t)s->decoder_table;
  dec.max_header_list_size = conn->config.max_header_list_size;
  conn->decoder = h2e_hpack_decoder_new(&dec, &conn->allocator);
  return conn->encoder && conn->decoder ? H2E_OK : H2E_ERR_NOMEM;
}

static int setup(h2e_conn *conn) {
  h2e_conn_sizes s;
  h2e_conn_sizes_compute(&conn->config, &s);
  conn->stream_cap = s.stream_cap;
  conn->decoder_table_cap = (uint32_t)s.decoder_table;
  int rc = plan_buffers(conn, &s);
  if (rc == H2E_OK)
    rc = create_hpack(conn, &s);
  if (rc == H2E_OK)
    rc = h2e_stream_table_init(&conn->streams, s.stream_cap, s.closed_cap);
  h2e_conn_events_init(conn, s.events);
  if (rc == H2E_OK)
    rc = h2e_conn_output_init(conn);
  if (rc == H2E_OK)
    rc = h2e_conn_settings_init(conn);
  h2e_conn_budget_init(conn);
  return rc;
}

h2e_conn *h2e_conn_new(const h2e_config *config, const h2e_allocator *allocator,
                       uint64_t now_ms) {
  if (config == NULL || !h2e_config_valid(config))
    return NULL;
  h2e_conn *conn = h2e_mem_alloc(allocator, sizeof *conn);
  if (conn == NULL)
    return NULL;
  memset(conn, 0, sizeof *conn);
  if (allocator != NULL)
    conn->allocator = *allocator;
  conn->config = *config;
  conn->is_server = config->role == H2E_SERVER;
  conn->next_local_id = conn->is_server ? 2 : 1;
  conn->now_ms = conn->last_recv_ms = conn->idle_since_ms = now_ms;
  /* RFC 9113 §3.4: only a server waits for the client preface. */
  conn->preface_have = conn->is_server ? 0 : H2E_PREFACE_LEN;
  if (setup(conn) != H2E_OK) {
    h2e_conn_free(conn);
    return NULL;
  }
  return conn;
}

void h2e_conn_free(h2e_conn *conn) {
  if (conn == NULL)
    return;
  h2e_allocator allocator = conn->allocator;
  const h2e_allocator *a = &allocator;
  h2e_conn_output_free(conn);
  h2e_stream_table_free(&conn->streams, a);
  h2e_hpack_encoder_free(conn->encoder);
  h2e_hpack_decoder_free(conn->decoder);
  h2e_conn_buffers_free(conn);
  h2e_mem_free(a, conn, sizeof *conn);
}

/* Frames until the input ends, the connection fails or a bound says
 * stop (RFC 9113 §5.4.1 makes a connection error terminal). */
static size_t read_frames(h2e_conn *conn, const uint8_t *in, size_t len) {
  size_t pos = 0;
  while (pos < len && !conn->failed && !h2e_conn_input_blocked(conn)) {
    size_t used = 0;
    h2e_frame frame;
    h2e_frame_error err;
    int rc =
        h2e_frame_read(&conn->reader, in + pos, len - pos, &used, &frame, &err);
    pos += used;
    if (rc == 0)
      break;
    /* The frame spans chunks: it is assembled in the reader's buffer. */
    if (rc == H2E_ERR_NOMEM) {
      h2e_conn_reader_buffer_take(conn);
      continue;
    }
    if (rc < 0)
      h2e_conn_frame_error(conn, &err, &frame);
    else
      h2e_conn_dispatch(conn, &frame);
  }
  return pos;
}

ptrdiff_t h2e_conn_recv(h2e_conn *conn, const uint8_t *in, size_t len,
                        uint64_t now_ms) {
  if (conn == NULL || (in == NULL && len != 0))
    return H2E_ERR_INVALID_ARG;
  if (h2e_conn_terminal(conn))
    return H2E_ERR_CONN_CLOSED;
  if (len == 0)
    return 0;
  conn->now_ms = now_ms;
  h2e_conn_slices_end(conn);
  h2e_conn_buffers_release_idle(conn);
  size_t pos = 0;
  if (conn->preface_have < H2E_PREFACE_LEN) {
    ptrdiff_t used = h2e_conn_recv_preface(conn, in, len);
    if (used < 0)
      return used;
    pos = (size_t)used;
  }
  if (conn->preface_have == H2E_PREFACE_LEN)
    pos += read_frames(conn, in + pos, len - pos);
  if (pos > 0)
    conn->last_recv_ms = now_ms;
  return (ptrdiff_t)pos;
}

/* ---- state ------------------------------------------------------------- */

int h2e_conn_terminal(const h2e_conn *conn) {
  return conn->failed || (conn->goaway_sent == H2E_GOAWAY_FINAL &&
                          conn->goaway_received && conn->streams.count == 0);
}

int h2e_conn_finished(const h2e_conn *conn) {
  /* RFC 9113 §6.8: after GOAWAY no new streams; once the last one is done
   * (and a graceful shutdown of ours has sent its final GOAWAY) there is
   * nothing left to do. */
  if (h2e_conn_terminal(conn))
    return 1;
  if (conn->streams.count != 0)
    return 0;
  return conn->goaway_sent == H2E_GOAWAY_FINAL ||
         (conn->goaway_received && conn->goaway_sent != H2E_GOAWAY_GRACEFUL);
}

unsigned h2e_conn_want(const h2e_conn *conn) {
  if (conn == NULL)
    return H2E_CLOSED;
  unsigned want = h2e_conn_output_pending(conn) ? H2E_WANT_WRITE : 0;
  if (h2e_conn_finished(conn))
    return want ? want : H2E_CLOSED;
  if (!h2e_conn_input_blocked(conn))
    want |= H2E_WANT_READ;
  return want;
}

int h2e_conn_is_local_id(const h2e_conn *conn, uint32_t id) {
  /* RFC 9113 §5.1.1: clients odd, servers even. */
  return (id % 2 == 0) == conn->is_server;
}

h2e_sstate h2e_conn_stream_state(const h2e_conn *conn, uint32_t id,
                                 h2e_stream **stream) {
  *stream = h2e_stream_find(&conn->streams, id);
  if (*stream)
    return (h2e_sstate)(*stream)->state;
  /* RFC 9113 §5.1.1: ids above the last one used are idle; below, a
   * stream is closed (maybe skipped, which closes it too). */
  uint32_t last = h2e_conn_is_local_id(conn, id) ? conn->next_local_id - 2
                                                 : conn->last_peer_id;
  if (id > last || (int32_t)last < 0)
    return H2E_SS_IDLE;
  return h2e_stream_closed_state(&conn->streams, id);
}

void h2e_conn_stream_enter(h2e_conn *conn, h2e_stream *stream,
                           h2e_sstate next) {
  stream->state = (uint8_t)next;
  /* RFC 9113 §5.1.2: open and half-closed streams count. */
  if (!stream->counted && h2e_sstate_is_active(next)) {
    stream->counted = 1;
    if (stream->peer_initiated)
      conn->peer_active++;
    else
      conn->local_active++;
  }
}

/* RFC 9113 §5.4.2: frames in flight on a stream we reset are ignored,
 * which takes remembering the stream. With no memory for that, they
 * would be answered as errors: the connection fails instead. */
static void remembered_or_fail(h2e_conn *conn, int rc) {
  if (rc != H2E_OK)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
}

void h2e_conn_remember_closed(h2e_conn *conn, uint32_t id, h2e_sstate state) {
  remembered_or_fail(conn, h2e_stream_remember_closed(
                               &conn->streams, &conn->allocator, id, state));
}

void h2e_conn_close_stream(h2e_conn *conn, h2e_stream *stream,
                           h2e_sstate closed_state) {
  if (stream->counted) {
    if (stream->peer_initiated)
      conn->peer_active--;
    else
      conn->local_active--;
  } else if (stream->reserved) {
    conn->peer_reserved--;
  }
  h2e_conn_drop_stream_output(conn, stream);
  h2e_list_remove(&stream->update_link);
  h2e_list_remove(&stream->window_link);
  remembered_or_fail(conn, h2e_stream_destroy(&conn->streams, &conn->allocator,
                                              stream, closed_state));
  if (conn->streams.count == 0)
    h2e_conn_note_idle(conn);
}

/* ---- public queries ---------------------------------------------------- */

h2e_stream_state h2e_stream_get_state(const h2e_conn *conn,
                                      uint32_t stream_id) {
  if (conn == NULL || stream_id == 0)
    return H2E_STATE_IDLE;
  h2e_stream *stream;
  return h2e_sstate_public(h2e_conn_stream_state(conn, stream_id, &stream));
}

int h2e_stream_set_user_data(h2e_conn *conn, uint32_t stream_id,
                             void *user_data) {
  h2e_stream *stream = conn ? h2e_stream_find(&conn->streams, stream_id) : 0;
  if (stream == NULL)
    return H2E_ERR_STREAM_CLOSED;
  stream->user_data = user_data;
  return H2E_OK;
}

void *h2e_stream_get_user_data(const h2e_conn *conn, uint32_t stream_id) {
  h2e_stream *stream = conn ? h2e_stream_find(&conn->streams, stream_id) : 0;
  return stream ? stream->user_data : NULL;
}

uint32_t h2e_conn_peer_setting(const h2e_conn *conn, uint16_t id) {
  if (conn == NULL || id == 0 || id >= H2E_SETTINGS_SLOTS)
    return 0;
  return conn->peer_settings[id];
}

uint32_t h2e_conn_streams_available(const h2e_conn *conn) {
  if (conn == NULL || conn->goaway_received || conn->goaway_sent ||
      conn->failed || conn->is_server)
    return 0;
  uint32_t limit = conn->peer_settings[H2E_SETTINGS_MAX_CONCURRENT_STREAMS];
  if (limit > conn->config.max_concurrent_streams)
    limit = conn->config.max_concurrent_streams;
  return limit > conn->local_active ? limit - conn->local_active : 0;
}
