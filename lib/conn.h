/* The connection engine's state, shared by the conn_*.c files. Each file
 * is one concept: life cycle and receive loop (conn.c), frame dispatch
 * (conn_recv.c), preface (conn_preface.c), SETTINGS, header blocks, DATA,
 * stream frames, PING, GOAWAY, errors, events, output, submits, timers. */
#ifndef H2E_CONN_H
#define H2E_CONN_H

#include "fifo.h"
#include "flow.h"
#include "h2e.h"
#include "http_check.h"
#include "list.h"
#include "priority.h"
#include "sched.h"
#include "slab.h"
#include "stream.h"

/* RFC 9113 §6.5.2 identifiers 1..9, indexed by id. */
#define H2E_SETTINGS_SLOTS 10
/* Our SETTINGS frames that may wait for their ACK at once. */
#define H2E_PENDING_SETTINGS_MAX 4
/* PINGs of ours that may wait for their ACK at once. */
#define H2E_PINGS_MAX 8
/* Output pieces staged and not yet written. */
#define H2E_SEGMENTS_MAX 128
/* RFC 9113 §3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
#define H2E_PREFACE_LEN 24
/* Most octets of debug text our GOAWAY frames carry. */
#define H2E_GOAWAY_DEBUG_MAX 96
/* Compressed header block beyond max_header_list_size we still accept
 * (RFC 9113 §10.5.1: the block must be processed, so it is bounded). */
#define H2E_BLOCK_SLACK 16384
/* A CONTINUATION carrying fewer octets than this without ending its
 * block costs a budget token (RFC 9113 §10.5). */
#define H2E_TINY_FRAGMENT 256
/* Decoded-field storage beyond one worst-case block, so that several
 * ordinary blocks fit between two recv calls. */
#define H2E_ARENA_SLACK_BYTES  8192
#define H2E_ARENA_SLACK_FIELDS 256

extern const uint8_t h2e_client_preface[H2E_PREFACE_LEN];

typedef struct h2e_local_settings {
  uint32_t values[H2E_SETTINGS_SLOTS];
  uint16_t present; /* bit per id */
  uint64_t sent_ms;
} h2e_local_settings;

typedef enum h2e_ping_kind {
  H2E_PING_USER = 0,
  H2E_PING_KEEPALIVE,
  H2E_PING_GOAWAY /* graceful shutdown, RFC 9113 §6.8 */
} h2e_ping_kind;

typedef struct h2e_ping_out {
  uint8_t opaque[8];
  uint8_t kind;
  uint64_t sent_ms;
} h2e_ping_out;

/* A body buffer or file region from h2e_submit_data / h2e_submit_file. */
typedef struct h2e_data_entry {
  const uint8_t *data; /* NULL for a file region */
  int fd;
  uint64_t file_offset;
  uint64_t len;
  uint64_t staged; /* octets handed to output so far */
  uint64_t cookie;
  uint32_t index; /* its own pool index */
  uint32_t stream_id;
  uint32_t next;      /* pool index + 1: the stream queue, then released */
  uint32_t in_flight; /* staged segments not yet written */
  uint8_t end_stream;
  uint8_t detached; /* off its stream's queue: release once written */
} h2e_data_entry;

/* Frames of ours awaiting their ACK: taken with the first, given back
 * with the other buffers once none is awaited. */
typedef struct h2e_awaited {
  h2e_local_settings pending[H2E_PENDING_SETTINGS_MAX];
  h2e_ping_out pings[H2E_PINGS_MAX];
} h2e_awaited;

typedef enum h2e_seg_source {
  H2E_SEG_CTRL = 0, /* control frames FIFO */
  H2E_SEG_BLOCKS,   /* header blocks FIFO */
  H2E_SEG_DATA      /* a DATA frame: header here, payload referenced */
} h2e_seg_source;

/* One staged piece of output. */
typedef struct h2e_out_seg {
  const uint8_t *base; /* payload memory; NULL for a file region */
  uint64_t len;        /* payload octets */
  uint64_t file_offset;
  uint64_t written; /* octets of header + payload written */
  int fd;
  uint32_t entry; /* DATA entry pool index + 1 */
  uint8_t source; /* h2e_seg_source */
  uint8_t header_len;
  uint8_t header[H2E_FRAME_HEADER_LEN];
} h2e_out_seg;

/* A header block being received (HEADERS or PUSH_PROMISE, then
 * CONTINUATION until END_HEADERS: RFC 9113 §4.3, §6.10). */
typedef struct h2e_block {
  uint8_t active;
  uint8_t frame_type;
  uint8_t flags; /* of the HEADERS frame: END_STREAM */
  uint32_t stream_id;
  uint32_t promised_id;
  uint8_t *buf; /* fragments assembled, allocated at bound when needed */
  uint32_t fragments;
  size_t len;
  size_t cap;
  size_t bound;
} h2e_block;

/* A decoded field block as the handlers get it. */
typedef struct h2e_field_list {
  const h2e_field *fields;
  size_t count;
  int too_large; /* over max_header_list_size: fields not delivered */
} h2e_field_list;

/* Decoded fields of the header events queued since the last recv. The
 * storage (the caps) is taken at the first block. */
typedef struct h2e_arena {
  uint8_t *bytes;
  size_t bytes_cap;
  size_t bytes_used;
  h2e_field *fields;
  size_t fields_cap;
  size_t fields_used;
  size_t block_bytes; /* one worst-case block */
  size_t block_fields;
} h2e_arena;

typedef struct h2e_event_queue {
  h2e_event *items; /* cap events, NULL until the first */
  uint32_t cap;
  uint32_t head;
  uint32_t count;
} h2e_event_queue;

/* The DATA frame whose pieces are arriving (H2E_READER_STREAM_DATA). */
typedef struct h2e_rx_data {
  uint32_t stream_id;
  uint8_t deliver; /* pieces go to the application */
} h2e_rx_data;

struct h2e_conn {
  h2e_allocator allocator;
  h2e_config config;
  uint8_t is_server;

  /* ---- input */
  h2e_frame_reader reader;
  uint8_t *reader_buf;   /* reader.buf_cap octets, NULL while not needed */
  uint8_t preface_have;  /* server: preface octets matched */
  uint8_t settings_seen; /* RFC 9113 §3.4: the peer's first SETTINGS */
  uint8_t reader_pinned; /* an event points into reader_buf */
  h2e_rx_data rx_data;
  h2e_block block;
  h2e_arena arena;
  uint64_t now_ms;
  uint64_t last_recv_ms;

  /* ---- HPACK */
  h2e_hpack_encoder *encoder;
  h2e_hpack_decoder *decoder;

  /* ---- SETTINGS */
  uint32_t peer_settings[H2E_SETTINGS_SLOTS];
  uint32_t local_settings[H2E_SETTINGS_SLOTS]; /* acknowledged */
  h2e_awaited *awaited; /* NULL while no SETTINGS or PING awaits its ACK */
  uint32_t pending_head;
  uint32_t pending_count;
  uint32_t recv_initial_window; /* effective INITIAL_WINDOW_SIZE of ours */
  uint32_t peer_stream_limit;   /* effective MAX_CONCURRENT_STREAMS */
  uint32_t header_list_limit;   /* effective MAX_HEADER_LIST_SIZE */
  uint32_t decoder_table_cap;

  /* ---- streams */
  h2e_stream_table streams;
  uint32_t stream_cap;
  uint32_t next_local_id;
  uint32_t last_peer_id;      /* highest id the peer opened or reserved */
  uint32_t last_processed_id; /* highest peer stream given to the app */
  uint32_t local_active;      /* RFC 9113 §5.1.2 counts */
  uint32_t peer_active;
  uint32_t peer_reserved; /* reserved (remote): pushes not started */
  h2e_priority_memo early_priorities; /* RFC 9218 §7: for idle streams */

  /* ---- flow control (connection level) */ int64_t send_window;
  h2e_flow_recv recv_flow;
  uint64_t unconsumed; /* DATA delivered on all streams, not given back */

  /* ---- output */
  h2e_fifo ctrl;
  h2e_fifo blocks;
  uint8_t *held; /* header blocks held until their stream's DATA is out */
  size_t held_cap;
  size_t held_used;
  h2e_out_seg *segs; /* H2E_SEGMENTS_MAX, taken while output is staged */
  uint32_t seg_head;
  uint32_t seg_count;
  /* Vecs were handed out and not yet acknowledged: stage nothing more,
   * so h2e_conn_output repeats itself until h2e_conn_output_done. */
  uint8_t output_handed_out;
  h2e_slab entries;
  uint32_t released_head; /* entries whose DATA_SENT is due, index + 1 */
  uint32_t released_tail;
  h2e_sched sched;
  h2e_link updates;        /* streams with a WINDOW_UPDATE due */
  h2e_link windows_open;   /* streams with an H2E_EV_WINDOW_OPEN due */
  h2e_link trailers_ready; /* streams whose held block can be encoded */
  uint8_t conn_update_due;
  uint32_t empty_ends_queued; /* zero-length END_STREAM entries queued */
  uint32_t answers_queued;    /* PING/SETTINGS ACKs, RST_STREAMs in ctrl */
  uint64_t ack_behind_pos;    /* blocks FIFO end after a SETTINGS ACK there */

  /* ---- events */
  h2e_event_queue events;

  /* ---- PING, GOAWAY, end */
  uint32_t ping_head;
  uint32_t ping_count;
  uint64_t ping_counter; /* opaque data of our own PINGs */
  uint8_t goaway_sent;   /* 0, H2E_GOAWAY_GRACEFUL or H2E_GOAWAY_FINAL */
  uint8_t goaway_received;
  uint32_t goaway_sent_last_id;
  uint32_t goaway_received_last_id;
  uint8_t failed; /* connection error: terminal */
  /* Its H2E_EV_CONN_ERROR, when no event ring could be had for it. */
  uint8_t failure_unreported;
  uint32_t failure_code;
  const char *failure_reason;
  uint64_t idle_since_ms;
  uint64_t keepalive_tried_ms; /* last keepalive PING attempt */
  /* RFC 9113 §10.5: misbehaviour budget, in thousandths of a token. */
  uint64_t reset_tokens;
  uint64_t reset_refill_ms;
};

enum { H2E_GOAWAY_GRACEFUL = 1, H2E_GOAWAY_FINAL = 2 };

/* ---- conn.c: shared helpers */
int h2e_conn_is_local_id(const h2e_conn *conn, uint32_t id);
/* The state of any stream id: live, remembered, idle or forgotten. */
h2e_sstate h2e_conn_stream_state(const h2e_conn *conn, uint32_t id,
                                 h2e_stream **stream);
/* Applies a state transition that the table allowed. */
void h2e_conn_stream_enter(h2e_conn *conn, h2e_stream *stream, h2e_sstate next);
/* Remembers a stream that closed without a slot (refused, ignored), or
 * fails the connection when there is no memory to remember it in. */
void h2e_conn_remember_closed(h2e_conn *conn, uint32_t id, h2e_sstate state);
/* Closes a live stream for good (counts, queues, lists, table). */
void h2e_conn_close_stream(h2e_conn *conn, h2e_stream *stream,
                           h2e_sstate closed_state);
/* Takes no more input: failed, or GOAWAY both ways and no stream left. */
int h2e_conn_terminal(const h2e_conn *conn);
/* Has nothing left to do once its output drains (H2E_CLOSED). */
int h2e_conn_finished(const h2e_conn *conn);

/* ---- conn_buffers.c */
/* Takes a large buffer at its first use; -1 after failing the connection
 * (the block buffer: NULL). */
int h2e_conn_arena_take(h2e_conn *conn);
int h2e_conn_reader_buffer_take(h2e_conn *conn);
uint8_t *h2e_conn_block_buffer_take(h2e_conn *conn);
int h2e_conn_segs_take(h2e_conn *conn);
int h2e_conn_events_take(h2e_conn *conn);
int h2e_conn_awaited_take(h2e_conn *conn);
/* At recv and tick with every event pulled: the slices handed out end
 * (h2e.h: lifetimes), so the arena is empty again. */
void h2e_conn_slices_end(h2e_conn *conn);
/* Gives back what is not in use once no stream has been open for
 * config.buffer_linger_ms. */
void h2e_conn_buffers_release_idle(h2e_conn *conn);
/* When an idle connection has buffers to give back (UINT64_MAX: never). */
uint64_t h2e_conn_buffers_deadline(const h2e_conn *conn);
/* Whether p points into the reader's buffer (an event slice there pins
 * it until the next recv). */
int h2e_conn_in_reader_buffer(const h2e_conn *conn, const uint8_t *p);
void h2e_conn_buffers_free(h2e_conn *conn);

/* ---- conn_preface.c */
ptrdiff_t h2e_conn_recv_preface(h2e_conn *conn, const uint8_t *in, size_t len);

/* ---- conn_recv.c */
int h2e_conn_input_blocked(const h2e_conn *conn);
void h2e_conn_dispatch(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_frame_error(h2e_conn *conn, const h2e_frame_error *err,
                          const h2e_frame *frame);

/* ---- conn_settings.c, conn_settings_recv.c */
int h2e_conn_settings_init(h2e_conn *conn);
void h2e_conn_recv_settings(h2e_conn *conn, const h2e_frame *frame);
/* Applies the peer's values in order (no ACK); -1 after a connection
 * error, else whether header blocks already encoded became too large. */
int h2e_conn_apply_peer_settings(h2e_conn *conn, const h2e_frame *frame);
/* The loosest of our acknowledged and pending values of a setting. */
uint32_t h2e_conn_local_limit(const h2e_conn *conn, uint16_t id);
void h2e_conn_apply_local_limits(h2e_conn *conn);
uint64_t h2e_conn_settings_deadline(const h2e_conn *conn);

/* ---- conn_block.c, conn_headers.c, conn_push.c */
void h2e_conn_recv_block_start(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_recv_continuation(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_block_done(h2e_conn *conn, const uint8_t *block, size_t len);
void h2e_conn_arena_reset(h2e_conn *conn);
/* A :status of 1xx among the fields (RFC 9110 §15.2). */
int h2e_fields_informational(const h2e_field *fields, size_t count);
void h2e_conn_headers_received(h2e_conn *conn, const h2e_field_list *list);
void h2e_conn_end_stream_received(h2e_conn *conn, h2e_stream *stream);
h2e_stream *h2e_conn_create_peer_stream(h2e_conn *conn, uint32_t id);
int h2e_conn_push_allowed(h2e_conn *conn);
/* conn_push_send.c: a server's promised stream may start its response
 * (RFC 9113 §5.1.2: it counts from then on). */
int h2e_conn_push_may_start(const h2e_conn *conn);
void h2e_conn_push_promise_received(h2e_conn *conn, const h2e_field_list *list);

/* ---- conn_http.c: the HTTP layer's hooks (http_check.h) */
/* What a received HEADERS block is (h2e_headers_kind), or -1 with *why
 * when the message is malformed. */
int h2e_conn_http_classify(h2e_conn *conn, h2e_stream *stream,
                           const h2e_field_list *list, int end_stream,
                           const char **why);
/* A received PUSH_PROMISE's request: NULL or why it is malformed. */
const char *h2e_conn_http_promise(const h2e_conn *conn,
                                  const h2e_field_list *list,
                                  uint8_t *head_request);
/* A block we submit: H2E_OK or H2E_ERR_INVALID_ARG; *head filled. */
int h2e_conn_http_submit(const h2e_conn *conn, h2e_http_kind kind,
                         const h2e_field *fields, size_t count, int end_stream,
                         h2e_http_head *head);
/* RFC 9113 §8.2.3: joins the cookie fields of a decoded block. */
void h2e_conn_http_join_cookies(h2e_conn *conn, h2e_hpack_output *out);

/* ---- conn_data.c */
void h2e_conn_recv_data(h2e_conn *conn, const h2e_frame *frame);
/* len octets used up: credit to the connection and (if any) the stream. */
void h2e_conn_give_credit(h2e_conn *conn, h2e_stream *stream, uint64_t len);

/* ---- conn_frames.c */
void h2e_conn_recv_rst_stream(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_recv_priority(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_recv_window_update(h2e_conn *conn, const h2e_frame *frame);
void h2e_conn_recv_extension(h2e_conn *conn, const h2e_frame *frame);
/* A stream's send window moves (WINDOW_UPDATE, §6.9.2 SETTINGS): -1 on
 * overflow; a blocked stream with window again is scheduled. */
int h2e_conn_send_window_changed(h2e_conn *conn, h2e_stream *stream,
                                 int64_t delta);

/* ---- conn_priority.c (RFC 9218) */
/* Server: a request arrived on a new stream; its priority is set. */
void h2e_conn_priority_request(h2e_conn *conn, h2e_stream *stream,
                               const h2e_field_list *list);
/* Server: a PRIORITY_UPDATE (the frame's own checks passed). */
void h2e_conn_recv_priority_update(h2e_conn *conn, uint32_t id,
                                   const uint8_t *value, size_t len);

/* ---- conn_ping.c */
void h2e_conn_recv_ping(h2e_conn *conn, const h2e_frame *frame);
int h2e_conn_send_ping(h2e_conn *conn, const uint8_t opaque[8],
                       h2e_ping_kind kind);
int h2e_conn_send_engine_ping(h2e_conn *conn, h2e_ping_kind kind);
int h2e_conn_ping_outstanding(const h2e_conn *conn, h2e_ping_kind kind,
                              uint64_t *sent_ms);

/* ---- conn_goaway.c */
void h2e_conn_recv_goaway(h2e_conn *conn, const h2e_frame *frame);
int h2e_conn_queue_goaway(h2e_conn *conn, uint32_t last_id, uint32_t code,
                          const char *debug);
void h2e_conn_goaway_ping_acked(h2e_conn *conn);

/* ---- conn_error.c */
/* RFC 9113 §5.4.1: GOAWAY with the code, H2E_EV_CONN_ERROR, terminal. */
void h2e_conn_fail(h2e_conn *conn, uint32_t code, const char *reason);
/* RFC 9113 §5.4.2: RST_STREAM on the stream (live or not). */
void h2e_conn_stream_error(h2e_conn *conn, uint32_t stream_id, uint32_t code,
                           const char *reason);
/* Closes a live stream with RST_STREAM from us, raising
 * H2E_EV_STREAM_RESET if the application knows the stream. */
void h2e_conn_reset_stream(h2e_conn *conn, h2e_stream *stream, uint32_t code,
                           uint8_t retryable);
/* RFC 9113 §8.1.1: a malformed message is a stream error PROTOCOL_ERROR;
 * the reset event carries the reason. */
void h2e_conn_malformed(h2e_conn *conn, h2e_stream *stream, const char *reason);

/* ---- conn_events.c */
void h2e_conn_events_init(h2e_conn *conn, uint32_t cap);
/* A zeroed event at the back of the queue, or NULL (never, by sizing). */
h2e_event *h2e_conn_event_push(h2e_conn *conn, h2e_event_type type,
                               uint32_t stream_id);
/* The event raised, if the application knows the stream. */
h2e_event *h2e_conn_event_stream_end(h2e_conn *conn, h2e_stream *stream,
                                     h2e_event_type type, uint32_t code,
                                     uint8_t by_peer, uint8_t retryable);

/* ---- conn_ctrl.c */
/* Room for a control frame of n octets, or NULL (bounded output). */
uint8_t *h2e_conn_ctrl_reserve(h2e_conn *conn, size_t n, int answer);
uint8_t *h2e_conn_ctrl_reserve_goaway(h2e_conn *conn, size_t n);
void h2e_conn_ctrl_commit(h2e_conn *conn, size_t n, int answer);
int h2e_conn_queue_rst(h2e_conn *conn, const h2e_stream *stream, uint32_t id,
                       uint32_t code, int answer);
int h2e_conn_queue_window_update(h2e_conn *conn, uint32_t stream_id,
                                 uint32_t increment);
void h2e_conn_flush_window_updates(h2e_conn *conn);
/* Marks the WINDOW_UPDATEs that credit just returned makes due. */
void h2e_conn_update_due(h2e_conn *conn, h2e_stream *stream);

/* ---- conn_output.c, conn_stage.c, conn_entries.c */
int h2e_conn_output_init(h2e_conn *conn);
void h2e_conn_output_free(h2e_conn *conn);
void h2e_conn_stage(h2e_conn *conn, size_t budget);
int h2e_conn_output_pending(const h2e_conn *conn);
void h2e_conn_release_entry(h2e_conn *conn, uint32_t index);
void h2e_conn_push_entry(h2e_conn *conn, h2e_stream *stream, uint32_t index);
void h2e_conn_pop_entry(h2e_conn *conn, h2e_stream *stream);
void h2e_conn_schedule(h2e_conn *conn, h2e_stream *stream);
/* Releases a stream's queued DATA (reset or gone) and held block. */
void h2e_conn_drop_stream_output(h2e_conn *conn, h2e_stream *stream);
void h2e_conn_drop_all_output(h2e_conn *conn);

/* ---- conn_encode.c, conn_held.c, conn_submit.c */
/* Our next stream id, created in state (open, or reserved (local)). */
h2e_stream *h2e_conn_new_local_stream(h2e_conn *conn, h2e_sstate state,
                                      int *err);
/* Octets of the blocks FIFO a block of these fields may take. */
size_t h2e_conn_block_room(const h2e_conn *conn, const h2e_field *fields,
                           size_t count);
/* Encodes a header block for a stream into the blocks FIFO. */
int h2e_conn_encode_block(h2e_conn *conn, h2e_stream *stream,
                          const h2e_field *fields, size_t count,
                          uint8_t end_stream);
/* Octets of the blocks FIFO a PUSH_PROMISE of these fields may take. */
size_t h2e_conn_promise_room(const h2e_conn *conn, const h2e_field *fields,
                             size_t count);
/* Encodes a PUSH_PROMISE (RFC 9113 §6.6) on the associated stream; the
 * caller has checked that promise_room octets are free. */
int h2e_conn_encode_promise(h2e_conn *conn, h2e_stream *associated,
                            h2e_stream *promised, const h2e_field *fields,
                            size_t count);
/* Our END_STREAM is on its way (§5.1: send ES). */
void h2e_conn_sent_end_stream(h2e_conn *conn, h2e_stream *stream);
void h2e_conn_withdraw_block(h2e_conn *conn, h2e_stream *stream);
int h2e_conn_hold_block(h2e_conn *conn, h2e_stream *stream,
                        const h2e_field *fields, size_t count);
int h2e_conn_encode_held(h2e_conn *conn, h2e_stream *stream);
void h2e_conn_drop_held(h2e_conn *conn, h2e_stream *stream);
h2e_stream *h2e_conn_sending_stream(h2e_conn *conn, uint32_t stream_id,
                                    h2e_sinput input, int *err);

/* ---- conn_budget.c */
void h2e_conn_budget_init(h2e_conn *conn);
/* The peer caused a reset (or sent a frame that does nothing): spends a
 * token. Returns -1 when the budget is gone and the connection failed. */
int h2e_conn_spend(h2e_conn *conn);

/* ---- conn_timers.c */
void h2e_conn_note_idle(h2e_conn *conn);

#endif
