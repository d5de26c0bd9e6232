/* A scripted HTTP/2 peer for conformance tests.
 *
 * One peer drives one engine connection (h2e_conn) in-process: it writes
 * exact frames into h2e_conn_recv, drains h2e_conn_output into a byte log,
 * parses that log back into frames with the frame codec, and checks them
 * and the engine's events against exact expectations. The peer keeps its
 * own HPACK encoder (for the header blocks it sends) and decoder (for the
 * engine's), so header blocks on both sides share real compression state.
 *
 * Every expectation is a macro that records the caller's file and line;
 * a mismatch prints what was expected and what came instead, then fails
 * the CMocka test.
 *
 * Typical server-role test:
 *
 *   peer *p = peer_start(state, H2E_SERVER, NULL);  // handshake done
 *   peer_send_request(p, 1, PEER_END_STREAM);        // half-closed (remote)
 *   peer_expect_request(p, 1, 1);
 *   peer_send_frame(p, H2E_FRAME_DATA, 0, 1, NULL, 0);
 *   peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
 *
 * and in the test table: PEER_TEST(test_...), whose teardown frees it.
 * Every frame the engine sends is also checked against the rules for
 * senders: it parses with our frame codec under the peer's
 * SETTINGS_MAX_FRAME_SIZE, unused flags and reserved bits are clear,
 * padding is zero, header blocks are contiguous and decode.
 *
 * Implementation: peer.c (life cycle, application side), peer_send.c,
 * peer_output.c (the engine's frames), peer_events.c (events, errors,
 * liveness), peer_describe.c (messages); peer_internal.h between them.
 */
#ifndef H2E_TEST_PEER_H
#define H2E_TEST_PEER_H

#include "h2e.h"

#include <stddef.h>
#include <stdint.h>

/* Flags for the send helpers (the frame flags themselves). */
#define PEER_END_STREAM H2E_FLAG_END_STREAM

/* A field from two string literals. */
#define PEER_FIELD(name, value)                                                \
  {                                                                            \
    (const uint8_t *)(name), (const uint8_t *)(value), sizeof(name) - 1,       \
        sizeof(value) - 1, 0                                                   \
  }

#define PEER_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The body pattern the peer offers for submits and checks in DATA. */
#define PEER_BODY_SIZE (1u << 21)

typedef struct peer {
  h2e_conn *conn;
  h2e_config config; /* the engine's */
  uint64_t now_ms;

  /* What the peer told the engine. */
  uint32_t max_frame_size; /* frames from the engine must fit in this */

  /* Engine output, drained and not yet parsed from wire_pos on. */
  uint8_t *wire;
  size_t wire_len;
  size_t wire_cap;
  size_t wire_pos;
  int preface_pending; /* client engine: the 24-octet preface comes first */

  /* HEADER_TABLE_SIZE values of SETTINGS not yet ACKed (UINT32_MAX: the
   * frame did not carry one): the engine's, waiting for our ACK, and ours,
   * waiting for the engine's. */
  uint32_t pending_table_sizes[16];
  size_t pending_table_count;
  uint32_t own_table_sizes[16];
  size_t own_table_count;

  h2e_hpack_encoder *encoder; /* our blocks to the engine */
  h2e_hpack_decoder *decoder; /* the engine's blocks to us */
  h2e_hpack_output decoded;   /* the last block decoded */
  uint8_t *block;             /* an engine block being assembled */
  size_t block_len;
  size_t block_cap;
  uint32_t block_stream;
  int block_open; /* HEADERS/PUSH_PROMISE seen, END_HEADERS not yet */

  uint8_t *scratch; /* frames being sent */
  size_t scratch_cap;

  uint8_t *body; /* PEER_BODY_SIZE octets of a known pattern */

  h2e_event held_event; /* pulled by a peek, not yet handed out */
  int has_held_event;

  uint32_t next_stream_id; /* next new stream the peer (or engine) opens */
  ptrdiff_t last_recv;     /* what h2e_conn_recv returned last */
} peer;

/* ---- life cycle ---------------------------------------------------------- */

/* A connection in `role` (the engine's) with `config` (NULL: the role's
 * defaults), before any byte is exchanged. Stored in *state for
 * peer_teardown. */
peer *peer_new(void **state, h2e_role role, const h2e_config *config);

/* peer_new, then the whole opening handshake (peer_handshake with an
 * empty SETTINGS). */
peer *peer_start(void **state, h2e_role role, const h2e_config *config);

/* The opening exchange, checked exactly: the engine's preface (client) and
 * SETTINGS (and connection WINDOW_UPDATE), our preface (server engine) and
 * SETTINGS carrying `settings`, both ACKs, the SETTINGS and SETTINGS_ACK
 * events; nothing else. */
#define peer_handshake(p, settings, count)                                     \
  peer_handshake_at(p, settings, count, __FILE__, __LINE__)

/* CMocka teardown for tests that used peer_new/peer_start. */
int peer_teardown(void **state);
#define PEER_TEST(f) cmocka_unit_test_teardown(f, peer_teardown)

/* A config with the role's defaults. */
h2e_config peer_config(h2e_role role);

/* The SETTINGS entries an engine with this config opens with. */
size_t peer_engine_settings(const h2e_config *config, h2e_setting *out,
                            size_t cap);

/* ---- sending ------------------------------------------------------------- */

/* Feeds raw bytes to the engine. All of them must be consumed, unless the
 * engine failed the connection on the way (then the rest must be refused
 * with H2E_ERR_CONN_CLOSED). */
#define peer_send_bytes(p, bytes, len)                                         \
  peer_send_bytes_at(p, bytes, len, __FILE__, __LINE__)
/* Feeds bytes as if they arrived one octet at a time, keeping what the
 * engine leaves unconsumed in front of the next octet (as an adapter
 * does); everything must be consumed in the end. */
#define peer_send_trickle(p, bytes, len)                                       \
  peer_send_trickle_at(p, bytes, len, __FILE__, __LINE__)
/* A frame with exactly this header and payload (length from len). */
#define peer_send_frame(p, type, flags, stream_id, payload, len)               \
  peer_send_frame_at(p, type, flags, stream_id, payload, len, __FILE__,        \
                     __LINE__)
/* A frame whose 24-bit length field says `length` whatever the payload. */
#define peer_send_frame_len(p, length, type, flags, stream_id, payload, len)   \
  peer_send_frame_len_at(p, length, type, flags, stream_id, payload, len,      \
                         __FILE__, __LINE__)
#define peer_send_preface(p) peer_send_preface_at(p, __FILE__, __LINE__)
#define peer_send_settings(p, settings, count)                                 \
  peer_send_settings_at(p, settings, count, __FILE__, __LINE__)
#define peer_send_settings_ack(p)                                              \
  peer_send_settings_ack_at(p, __FILE__, __LINE__)
/* One setting. */
#define peer_send_setting(p, id, value)                                        \
  peer_send_setting_at(p, id, value, __FILE__, __LINE__)
/* HEADERS with END_HEADERS and `flags` (END_STREAM, ...), the fields
 * encoded with the peer's encoder. */
#define peer_send_headers(p, stream_id, flags, fields, count)                  \
  peer_send_headers_at(p, stream_id, flags, fields, count, __FILE__, __LINE__)
/* A GET request (peer_request_fields) on a new stream. */
#define peer_send_request(p, stream_id, flags)                                 \
  peer_send_request_at(p, stream_id, flags, __FILE__, __LINE__)
/* A response :status (client-role engine). */
#define peer_send_response(p, stream_id, status, flags)                        \
  peer_send_response_at(p, stream_id, status, flags, __FILE__, __LINE__)
#define peer_send_data(p, stream_id, flags, data, len)                         \
  peer_send_data_at(p, stream_id, flags, data, len, __FILE__, __LINE__)
/* DATA frames of the body pattern, each at most frame_size octets, len in
 * total; the last carries `flags`. */
#define peer_send_data_frames(p, stream_id, flags, len, frame_size)            \
  peer_send_data_frames_at(p, stream_id, flags, len, frame_size, __FILE__,     \
                           __LINE__)
/* Padded DATA: Pad Length pad_len, data_len octets of data. */
#define peer_send_padded_data(p, stream_id, flags, data_len, pad_len)          \
  peer_send_padded_data_at(p, stream_id, flags, data_len, pad_len, __FILE__,   \
                           __LINE__)
#define peer_send_ping(p, flags, opaque)                                       \
  peer_send_ping_at(p, flags, opaque, __FILE__, __LINE__)
#define peer_send_window_update(p, stream_id, increment)                       \
  peer_send_window_update_at(p, stream_id, increment, __FILE__, __LINE__)
#define peer_send_rst_stream(p, stream_id, code)                               \
  peer_send_rst_stream_at(p, stream_id, code, __FILE__, __LINE__)
#define peer_send_goaway(p, last_stream_id, code)                              \
  peer_send_goaway_at(p, last_stream_id, code, __FILE__, __LINE__)
#define peer_send_priority(p, stream_id, dependency, weight)                   \
  peer_send_priority_at(p, stream_id, dependency, weight, __FILE__, __LINE__)
/* PUSH_PROMISE with END_HEADERS (client-role engine). */
#define peer_send_push_promise(p, stream_id, promised, fields, count)          \
  peer_send_push_promise_at(p, stream_id, promised, fields, count, __FILE__,   \
                            __LINE__)

/* Encodes fields with the peer's encoder into out; returns the length. */
#define peer_encode(p, fields, count, out, cap)                                \
  peer_encode_at(p, fields, count, out, cap, __FILE__, __LINE__)

/* Lets time pass (ms) and runs the engine's timers. */
int peer_tick(peer *p, uint64_t ms); /* h2e_conn_tick's result */

/* The standard request: GET https://example.com/ (4 fields). */
extern const h2e_field peer_request_fields[4];
#define PEER_REQUEST_FIELD_COUNT 4

/* The standard request as a hand-made block that leaves the HPACK dynamic
 * table alone (indexed static fields, :authority literal without
 * indexing): safe to split, pad or resend in any test. */
extern const uint8_t peer_request_block[16];
#define PEER_REQUEST_BLOCK_LEN 16

/* ---- the engine's output ------------------------------------------------- */

/* Collects everything the engine has to send (h2e_conn_output, then
 * h2e_conn_output_done with all of it). */
void peer_drain(peer *p);

/* The next frame the engine sent (draining first). Returns 1 and fills
 * *frame (slices valid until the next drain), or 0 when there is none.
 * A frame the peer's parser rejects, one with flags the type does not
 * define or a reserved bit set, fails the test. */
#define peer_next_frame(p, frame)                                              \
  peer_next_frame_at(p, frame, __FILE__, __LINE__)

/* The 24-octet client preface, first thing a client engine sends. */
#define peer_expect_preface(p) peer_expect_preface_at(p, __FILE__, __LINE__)
/* Exactly this frame next: type, flags, stream and payload octets. */
#define peer_expect_frame(p, type, flags, stream_id, payload, len)             \
  peer_expect_frame_at(p, type, flags, stream_id, payload, len, __FILE__,      \
                       __LINE__)
#define peer_expect_settings(p, settings, count)                               \
  peer_expect_settings_at(p, settings, count, __FILE__, __LINE__)
/* The SETTINGS the engine opens with, from its config. */
#define peer_expect_engine_settings(p)                                         \
  peer_expect_engine_settings_at(p, __FILE__, __LINE__)
#define peer_expect_settings_ack(p)                                            \
  peer_expect_settings_ack_at(p, __FILE__, __LINE__)
#define peer_expect_ping(p, flags, opaque)                                     \
  peer_expect_ping_at(p, flags, opaque, __FILE__, __LINE__)
#define peer_expect_window_update(p, stream_id, increment)                     \
  peer_expect_window_update_at(p, stream_id, increment, __FILE__, __LINE__)
#define peer_expect_rst_stream(p, stream_id, code)                             \
  peer_expect_rst_stream_at(p, stream_id, code, __FILE__, __LINE__)
/* GOAWAY with this last stream id and code (debug data not checked). */
#define peer_expect_goaway(p, last_stream_id, code)                            \
  peer_expect_goaway_at(p, last_stream_id, code, __FILE__, __LINE__)
/* A header block (HEADERS + CONTINUATION*) on the stream, decoded and
 * compared field by field; end_stream is the HEADERS END_STREAM flag. */
#define peer_expect_headers(p, stream_id, end_stream, fields, count)           \
  peer_expect_headers_at(p, stream_id, end_stream, fields, count, __FILE__,    \
                         __LINE__)
/* A PUSH_PROMISE (+ CONTINUATION*) on the stream promising `promised`,
 * its block decoded and compared field by field. */
#define peer_expect_push_promise(p, stream_id, promised, fields, count)        \
  peer_expect_push_promise_at(p, stream_id, promised, fields, count, __FILE__, \
                              __LINE__)
/* A response head with just :status. */
#define peer_expect_status(p, stream_id, end_stream, status)                   \
  peer_expect_status_at(p, stream_id, end_stream, status, __FILE__, __LINE__)
/* The standard request (client-role engine) as a header block. */
#define peer_expect_request_headers(p, stream_id, end_stream)                  \
  peer_expect_headers_at(p, stream_id, end_stream, peer_request_fields,        \
                         PEER_REQUEST_FIELD_COUNT, __FILE__, __LINE__)
/* One DATA frame with exactly these flags and data (no padding). */
#define peer_expect_data(p, stream_id, flags, data, len)                       \
  peer_expect_data_at(p, stream_id, flags, data, len, __FILE__, __LINE__)
/* DATA frames on the stream carrying body[from .. from+len), none larger
 * than max_frame (0: the peer's max frame size); END_STREAM on the last
 * one iff end_stream. Returns the number of frames. */
#define peer_expect_data_total(p, stream_id, from, len, end_stream, max_frame) \
  peer_expect_data_total_at(p, stream_id, from, len, end_stream, max_frame,    \
                            __FILE__, __LINE__)
/* WINDOW_UPDATE(increment) on the connection and on the stream, in
 * either order (the RFC does not order them). */
#define peer_expect_window_updates(p, stream_id, increment)                    \
  peer_expect_window_updates_at(p, stream_id, increment, __FILE__, __LINE__)
/* Drains the output, which must hold nothing but connection
 * WINDOW_UPDATEs (a WINDOW_UPDATE on `closed_stream` fails: §5.1 allows
 * only PRIORITY on a closed stream) and RST_STREAMs on closed_stream when
 * rst_allowed; returns the sum of the increments. */
#define peer_connection_credit(p, closed_stream, rst_allowed)                  \
  peer_connection_credit_at(p, closed_stream, rst_allowed, __FILE__, __LINE__)
/* The type of the next frame of the drained output, without taking it,
 * or -1 when there is none (e.g. H2E_FRAME_GOAWAY where a rule allows a
 * connection error in place of a stream error). */
int peer_next_frame_type(peer *p);
/* No more output. */
#define peer_expect_no_frame(p) peer_expect_no_frame_at(p, __FILE__, __LINE__)

/* ---- events -------------------------------------------------------------- */

/* The next event; 0 when none. */
int peer_next_event(peer *p, h2e_event *ev);
/* Pulls and drops events of this type while they come next (for events
 * the API leaves optional, e.g. WINDOW_OPEN when data is still queued).
 * Returns how many. */
size_t peer_skip_events(peer *p, h2e_event_type type);
/* Exactly this event type on this stream next (DATA_SENT events match on
 * type alone: h2e.h leaves their stream id open, the cookie counts). */
#define peer_expect_event(p, type, stream_id)                                  \
  peer_expect_event_at(p, type, stream_id, __FILE__, __LINE__)
#define peer_expect_no_event(p) peer_expect_no_event_at(p, __FILE__, __LINE__)
/* Exactly these events next, in any order (for events the API does not
 * order among themselves, e.g. DATA_SENT and STREAM_RESET). Each one is
 * matched on type and stream. */
typedef struct peer_event_want {
  h2e_event_type type;
  uint32_t stream_id;
} peer_event_want;
#define peer_expect_event_set(p, wants, count)                                 \
  peer_expect_event_set_at(p, wants, count, __FILE__, __LINE__)
/* Two events in either order. */
#define peer_expect_two_events(p, type1, stream1, type2, stream2)              \
  peer_expect_two_events_at(p, type1, stream1, type2, stream2, __FILE__,       \
                            __LINE__)
/* H2E_EV_HEADERS of the standard request (server-role engine). */
#define peer_expect_request(p, stream_id, end_stream)                          \
  peer_expect_request_at(p, stream_id, end_stream, __FILE__, __LINE__)
/* H2E_EV_HEADERS with exactly this kind, END_STREAM and fields. */
#define peer_expect_headers_event(p, stream_id, kind, end_stream, fields,      \
                                  count)                                       \
  peer_expect_headers_event_at(p, stream_id, kind, end_stream, fields, count,  \
                               __FILE__, __LINE__)
/* H2E_EV_DATA events on the stream adding up to len octets of the body
 * pattern from offset `from`; END_STREAM on the last iff end_stream. */
#define peer_expect_data_event(p, stream_id, from, len, end_stream)            \
  peer_expect_data_event_at(p, stream_id, from, len, end_stream, __FILE__,     \
                            __LINE__)
/* H2E_EV_STREAM_RESET with this code and origin. */
#define peer_expect_reset_event(p, stream_id, code, by_peer)                   \
  peer_expect_reset_event_at(p, stream_id, code, by_peer, __FILE__, __LINE__)

/* A request on a new stream, delivered (and nothing else). */
#define peer_open_stream(p, stream_id, end_stream)                             \
  peer_open_stream_at(p, stream_id, end_stream, __FILE__, __LINE__)
/* Server engine: the application answers :status 200 with END_STREAM on a
 * half-closed (remote) stream; the response goes out and the stream
 * closes (H2E_EV_STREAM_CLOSED). */
#define peer_finish_stream(p, stream_id)                                       \
  peer_finish_stream_at(p, stream_id, __FILE__, __LINE__)

/* ---- errors and liveness ------------------------------------------------- */

/* A connection error: the engine's output ends with exactly one GOAWAY
 * (last_stream_id, code); the events hold H2E_EV_CONN_ERROR(code) (after
 * resets of streams it ended, if any); recv then returns
 * H2E_ERR_CONN_CLOSED and the connection reports H2E_CLOSED. */
#define peer_expect_conn_error(p, code, last_stream_id)                        \
  peer_expect_conn_error_at(p, code, code, last_stream_id, last_stream_id,     \
                            __FILE__, __LINE__)
/* The same where the RFC lets the engine choose between two codes. */
#define peer_expect_conn_error2(p, code, other_code, last_stream_id)           \
  peer_expect_conn_error_at(p, code, other_code, last_stream_id,               \
                            last_stream_id, __FILE__, __LINE__)
/* The same where the failing frame opened (or tried to open) a stream
 * whose request never reached the application: the last stream id may
 * count that stream or not (RFC 9113 §6.8 "might have taken action"). */
#define peer_expect_conn_error_last2(p, code, last_stream_id, or_last)         \
  peer_expect_conn_error_at(p, code, code, last_stream_id, or_last, __FILE__,  \
                            __LINE__)
/* Both choices at once: code or other_code, last_stream_id or or_last. */
#define peer_expect_conn_error_any(p, code, other_code, last_stream_id,        \
                                   or_last)                                    \
  peer_expect_conn_error_at(p, code, other_code, last_stream_id, or_last,      \
                            __FILE__, __LINE__)
/* A stream error: exactly RST_STREAM(code) on the stream and nothing else
 * goes out; an H2E_EV_STREAM_RESET(code, by us) event if reset_event (the
 * application knew the stream as live), no event at all otherwise; the
 * stream is closed; and the connection still works (peer_expect_alive). */
#define peer_expect_stream_error(p, stream_id, code, reset_event)              \
  peer_expect_stream_error_at(p, stream_id, code, reset_event, __FILE__,       \
                              __LINE__)
/* Where the RFC allows either (e.g. DATA on a closed stream, §5.1): a
 * stream error as above, or a connection error with `code` or
 * `conn_code`. */
#define peer_expect_stream_or_conn_error(p, stream_id, code, reset_event,      \
                                         conn_code, last_stream_id)            \
  peer_expect_stream_or_conn_error_at(p, stream_id, code, reset_event,         \
                                      conn_code, last_stream_id, __FILE__,     \
                                      __LINE__)
/* The connection still serves: server engine, a new request on
 * p->next_stream_id is delivered and its response comes back; client
 * engine, a new request goes out and its response is delivered. */
#define peer_expect_alive(p) peer_expect_alive_at(p, __FILE__, __LINE__)

/* ---- the application side ------------------------------------------------ */

/* h2e_submit_headers with just :status (must succeed). */
#define peer_submit_status(p, stream_id, status, flags)                        \
  peer_submit_status_at(p, stream_id, status, flags, __FILE__, __LINE__)
/* h2e_submit_data of body[from .. from+len) (must succeed). */
#define peer_submit_body(p, stream_id, from, len, flags, cookie)               \
  peer_submit_body_at(p, stream_id, from, len, flags, cookie, __FILE__,        \
                      __LINE__)
/* h2e_submit_request of the standard request; returns the stream id. */
#define peer_submit_request(p, flags)                                          \
  peer_submit_request_at(p, flags, __FILE__, __LINE__)

/* Names, for messages. */
const char *peer_event_name(h2e_event_type type);

/* ---- implementations of the macros above --------------------------------- */

void peer_handshake_at(peer *p, const h2e_setting *settings, size_t count,
                       const char *file, int line);
void peer_send_bytes_at(peer *p, const void *bytes, size_t len,
                        const char *file, int line);
void peer_send_trickle_at(peer *p, const void *bytes, size_t len,
                          const char *file, int line);
void peer_send_frame_at(peer *p, uint8_t type, uint8_t flags,
                        uint32_t stream_id, const void *payload, size_t len,
                        const char *file, int line);
void peer_send_frame_len_at(peer *p, uint32_t length, uint8_t type,
                            uint8_t flags, uint32_t stream_id,
                            const void *payload, size_t len, const char *file,
                            int line);
void peer_send_preface_at(peer *p, const char *file, int line);
void peer_send_settings_at(peer *p, const h2e_setting *settings, size_t count,
                           const char *file, int line);
void peer_send_settings_ack_at(peer *p, const char *file, int line);
void peer_send_setting_at(peer *p, uint16_t id, uint32_t value,
                          const char *file, int line);
void peer_send_headers_at(peer *p, uint32_t stream_id, uint8_t flags,
                          const h2e_field *fields, size_t count,
                          const char *file, int line);
void peer_send_request_at(peer *p, uint32_t stream_id, uint8_t flags,
                          const char *file, int line);
void peer_send_response_at(peer *p, uint32_t stream_id, const char *status,
                           uint8_t flags, const char *file, int line);
void peer_send_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                       const void *data, size_t len, const char *file,
                       int line);
void peer_send_data_frames_at(peer *p, uint32_t stream_id, uint8_t flags,
                              size_t len, size_t frame_size, const char *file,
                              int line);
void peer_send_padded_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                              size_t data_len, uint8_t pad_len,
                              const char *file, int line);
void peer_send_ping_at(peer *p, uint8_t flags, const uint8_t opaque[8],
                       const char *file, int line);
void peer_send_window_update_at(peer *p, uint32_t stream_id, uint32_t increment,
                                const char *file, int line);
void peer_send_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                             const char *file, int line);
void peer_send_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                         const char *file, int line);
void peer_send_priority_at(peer *p, uint32_t stream_id, uint32_t dependency,
                           uint8_t weight, const char *file, int line);
void peer_send_push_promise_at(peer *p, uint32_t stream_id, uint32_t promised,
                               const h2e_field *fields, size_t count,
                               const char *file, int line);
size_t peer_encode_at(peer *p, const h2e_field *fields, size_t count,
                      uint8_t *out, size_t cap, const char *file, int line);

int peer_next_frame_at(peer *p, h2e_frame *frame, const char *file, int line);
void peer_expect_preface_at(peer *p, const char *file, int line);
void peer_expect_frame_at(peer *p, uint8_t type, uint8_t flags,
                          uint32_t stream_id, const void *payload, size_t len,
                          const char *file, int line);
void peer_expect_settings_at(peer *p, const h2e_setting *settings, size_t count,
                             const char *file, int line);
void peer_expect_engine_settings_at(peer *p, const char *file, int line);
void peer_expect_settings_ack_at(peer *p, const char *file, int line);
void peer_expect_ping_at(peer *p, uint8_t flags, const uint8_t opaque[8],
                         const char *file, int line);
void peer_expect_window_update_at(peer *p, uint32_t stream_id,
                                  uint32_t increment, const char *file,
                                  int line);
void peer_expect_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                               const char *file, int line);
void peer_expect_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                           const char *file, int line);
void peer_expect_headers_at(peer *p, uint32_t stream_id, int end_stream,
                            const h2e_field *fields, size_t count,
                            const char *file, int line);
void peer_expect_push_promise_at(peer *p, uint32_t stream_id, uint32_t promised,
                                 const h2e_field *fields, size_t count,
                                 const char *file, int line);
void peer_expect_status_at(peer *p, uint32_t stream_id, int end_stream,
                           const char *status, const char *file, int line);
void peer_expect_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                         const void *data, size_t len, const char *file,
                         int line);
size_t peer_expect_data_total_at(peer *p, uint32_t stream_id, size_t from,
                                 size_t len, int end_stream, uint32_t max_frame,
                                 const char *file, int line);
void peer_expect_window_updates_at(peer *p, uint32_t stream_id,
                                   uint32_t increment, const char *file,
                                   int line);
uint64_t peer_connection_credit_at(peer *p, uint32_t closed_stream,
                                   int rst_allowed, const char *file, int line);
void peer_expect_no_frame_at(peer *p, const char *file, int line);

h2e_event peer_expect_event_at(peer *p, h2e_event_type type, uint32_t stream_id,
                               const char *file, int line);
void peer_expect_no_event_at(peer *p, const char *file, int line);
void peer_expect_event_set_at(peer *p, const peer_event_want *wants,
                              size_t count, const char *file, int line);
void peer_expect_two_events_at(peer *p, h2e_event_type type1, uint32_t stream1,
                               h2e_event_type type2, uint32_t stream2,
                               const char *file, int line);
h2e_event peer_expect_request_at(peer *p, uint32_t stream_id, int end_stream,
                                 const char *file, int line);
h2e_event peer_expect_headers_event_at(peer *p, uint32_t stream_id,
                                       h2e_headers_kind kind, int end_stream,
                                       const h2e_field *fields, size_t count,
                                       const char *file, int line);
void peer_expect_data_event_at(peer *p, uint32_t stream_id, size_t from,
                               size_t len, int end_stream, const char *file,
                               int line);
void peer_expect_reset_event_at(peer *p, uint32_t stream_id, uint32_t code,
                                int by_peer, const char *file, int line);

void peer_open_stream_at(peer *p, uint32_t stream_id, int end_stream,
                         const char *file, int line);
void peer_finish_stream_at(peer *p, uint32_t stream_id, const char *file,
                           int line);
void peer_expect_conn_error_at(peer *p, uint32_t code, uint32_t other_code,
                               uint32_t last_stream_id, uint32_t or_last,
                               const char *file, int line);
void peer_expect_stream_error_at(peer *p, uint32_t stream_id, uint32_t code,
                                 int reset_event, const char *file, int line);
void peer_expect_stream_or_conn_error_at(peer *p, uint32_t stream_id,
                                         uint32_t code, int reset_event,
                                         uint32_t conn_code,
                                         uint32_t last_stream_id,
                                         const char *file, int line);
void peer_expect_alive_at(peer *p, const char *file, int line);

void peer_submit_status_at(peer *p, uint32_t stream_id, const char *status,
                           unsigned flags, const char *file, int line);
void peer_submit_body_at(peer *p, uint32_t stream_id, size_t from, size_t len,
                         unsigned flags, uint64_t cookie, const char *file,
                         int line);
uint32_t peer_submit_request_at(peer *p, unsigned flags, const char *file,
                                int line);

#endif
