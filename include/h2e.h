/* h2e — the sans-I/O HTTP/2 connection engine (RFC 9113).
 *
 * One h2e_conn is one HTTP/2 connection, client or server. It never
 * touches a socket, a clock, a thread or a global:
 *
 *   bytes in     h2e_conn_recv(conn, buf, len, now_ms) -> bytes consumed
 *   events out   h2e_conn_next_event(conn, &ev) until it returns 0
 *   bytes out    h2e_conn_output(conn, vec, n) -> vecs; write them;
 *                h2e_conn_output_done(conn, bytes_written)
 *   time         h2e_conn_deadline(conn) -> when to call h2e_conn_tick
 *
 * Nothing the caller does while handling an event runs engine code behind
 * its back (no callbacks). All memory comes from the caller's allocator
 * and is bounded by the config; h2e_conn_memsize_max tells the worst case.
 *
 * Lifetimes. Slices in events (DATA payloads, header fields, GOAWAY debug
 * data) stay valid until the next call to h2e_conn_recv, h2e_conn_tick or
 * h2e_conn_free: pull every event a recv produced before reusing its
 * input buffer, and do not tick while still using them. DATA payloads are
 * slices of that input buffer (zero copy). Buffers given to h2e_submit_data
 * stay the caller's to keep alive until the H2E_EV_DATA_SENT event that carries
 * their cookie.
 */
#ifndef H2E_H
#define H2E_H

#include "h2e_base.h"
#include "h2e_frame.h"
#include "h2e_hpack.h"
#include "h2e_priority.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h2e_conn h2e_conn;

typedef enum h2e_role { H2E_CLIENT = 0, H2E_SERVER = 1 } h2e_role;

/* ---- configuration ---------------------------------------------------- */

typedef struct h2e_config {
  h2e_role role;

  /* Our SETTINGS (RFC 9113 §6.5.2), sent at the start. The memory of the
   * connection is sized from them, so they are also the largest values
   * h2e_submit_settings may announce later (table size, concurrent
   * streams, frame size, header list size). */
  uint32_t header_table_size; /* default 4096 */
  uint32_t enable_push;       /* client default 0; a server must leave
                                 it 0 (h2e_conn_new fails otherwise) */
  /* Default 100, at most 65536. Also caps the streams we open ourselves
   * (with the peer's own limit): h2e_submit_request says
   * H2E_ERR_STREAM_LIMIT beyond min(this, the peer's setting). */
  uint32_t max_concurrent_streams;
  uint32_t initial_window_size; /* default 65535 */
  uint32_t max_frame_size;      /* default 16384 */
  /* Default 65536, 1024 .. 16 MiB. A block whose decoded fields exceed
   * it is a stream error PROTOCOL_ERROR (RFC 9113 §8.1.1, §10.5.1, the
   * connection goes on); one whose compressed size exceeds it by more
   * than 16 KiB is a connection error ENHANCE_YOUR_CALM. */
  uint32_t max_header_list_size;
  uint32_t enable_connect_protocol; /* RFC 8441, default 0 */
  uint32_t no_rfc7540_priorities;   /* RFC 9218 §2.1, default 1 */

  /* The connection receive window we open at start with a WINDOW_UPDATE
   * on stream 0 (RFC 9113 §6.9.2: SETTINGS cannot change it). Default
   * 65535, i.e. no update. */
  uint32_t connection_window;
  /* Inbound flow control. 0 (default): the application returns credit
   * with h2e_consume. 1: credit is returned as soon as DATA is delivered
   * as an event. */
  int auto_consume;
  /* A WINDOW_UPDATE goes out once this percentage of a window has been
   * consumed since the last one. Default 50. */
  uint32_t window_update_percent;

  /* Timers, in milliseconds; 0 turns one off. */
  uint64_t settings_timeout_ms; /* SETTINGS ACK wait, default 10000 */
  uint64_t keepalive_ms;        /* PING after this much silence, default 0 */
  uint64_t idle_timeout_ms;     /* GOAWAY after no open stream this long, 0 */
  /* The large buffers (decoded fields, output, events, stream slots) are
   * taken when needed and given back once no stream has been open for
   * this long. Default 0: at once, so an idle connection holds about
   * 2 KB; a client making one request at a time allocates per request
   * unless this covers the gap between them. */
  uint64_t buffer_linger_ms;

  /* Bounds. */
  uint32_t output_buffer_size; /* header blocks queued for output,
                                  default 65536; trailers held behind
                                  their body get a quarter more */
  uint32_t max_queued_control; /* PING/SETTINGS ACKs and RST_STREAMs
                                  waiting for output, default 64 */
  uint32_t max_events;         /* events waiting to be pulled, default 64 */
  uint32_t max_pending_data;   /* h2e_submit_data buffers queued,
                                  default 1024 */

  /* The misbehaviour budget (RFC 9113 §10.5). What costs us work and the
   * peer nothing takes one token each from a bucket of reset_burst tokens
   * refilled at reset_rate_per_sec: stream resets the peer causes (its
   * RST_STREAM, streams we refuse or reset for its errors: Rapid Reset,
   * MadeYouReset), empty DATA frames that end nothing, PINGs, SETTINGS
   * frames after the first, and CONTINUATION frames of fewer than 256
   * octets that do not end their block. An empty bucket is a connection
   * error ENHANCE_YOUR_CALM. Defaults 1000 and 33 (a steady 33 per second
   * never trips it); reset_burst 0 turns it off. */
  uint32_t reset_burst;
  uint32_t reset_rate_per_sec;

  /* The HTTP layer (RFC 9113 §8), H2E_HTTP_* bits; default 0: every
   * received field block is checked, strictly. See below. */
  uint32_t http_flags;
} h2e_config;

/* HTTP message checks. Unless H2E_HTTP_RAW, a received request,
 * response, trailer section or promised request that is malformed (RFC
 * 9113 §8.1.1) is a stream error PROTOCOL_ERROR: RST_STREAM goes out, the
 * block is never delivered (a server never sees a malformed request; on
 * a stream the application knows, H2E_EV_STREAM_RESET carries a reason)
 * and the connection goes on. Checked:
 *   - field names: non-empty lowercase RFC 9110 §5.1 tokens; values: no
 *     NUL, CR or LF, no SP or HTAB at either end (§8.2.1);
 *   - no connection-specific field (connection, keep-alive,
 *     proxy-connection, transfer-encoding, upgrade), te only "trailers"
 *     (§8.2.2);
 *   - pseudo-header fields: defined, each at most once, before regular
 *     fields, only those of the message kind, none in trailers (§8.3);
 *     requests have :method, and :scheme and a non-empty :path (for
 *     http(s) starting with '/', or '*' for OPTIONS; no userinfo in
 *     :authority), except CONNECT: :method and :authority only (§8.5);
 *     :protocol (RFC 8441) only on CONNECT, with :scheme, :path and
 *     :authority, and only if we sent ENABLE_CONNECT_PROTOCOL=1;
 *     responses have one :status of three digits, 100..599, not 101
 *     (§8.3.2, §8.6); a 1xx does not end the stream (§8.1); a promised
 *     request is GET or HEAD without content (§8.4: declined with
 *     RST_STREAM PROTOCOL_ERROR on the promised stream, no event);
 *   - content-length: digits only; several fields must agree (RFC 9110
 *     §8.6; a comma list is refused); the DATA of the stream sums to it
 *     (§8.1.1), and a response to HEAD, a 204 or a 304 carries none.
 * The submit functions refuse (H2E_ERR_INVALID_ARG) a block that would
 * be malformed under the same checks (with the peer's
 * ENABLE_CONNECT_PROTOCOL for :protocol), so we never send one; the body
 * we send is not matched against our content-length. */
enum {
  /* None of the checks above, sent or received, and no cookie join:
   * frames and streams only. What stays is the message framing of RFC
   * 9113 §8.1: DATA only after a final head, a block after it only as
   * trailers with END_STREAM, no END_STREAM on a 1xx. */
  H2E_HTTP_RAW = 0x1,
  /* Accept SP and HTAB at the ends of field values. */
  H2E_HTTP_LENIENT_WHITESPACE = 0x2,
  /* Accept any visible ASCII but ':' in field names, uppercase too (the
   * connection-specific names are still found whatever their case). */
  H2E_HTTP_LENIENT_NAMES = 0x4,
  /* RFC 9113 §8.2.3: several cookie fields are delivered joined into the
   * first with "; ". Costs max_header_list_size more octets of decoded
   * field storage per connection (see h2e_conn_memsize_max). */
  H2E_HTTP_JOIN_COOKIES = 0x8
};

/* Fills *config with the defaults for a role. */
H2E_API void h2e_config_init(h2e_config *config, h2e_role role);

/* The most memory a connection with this config can ever take from its
 * allocator (an embedded caller can hand over one arena of this size). */
H2E_API size_t h2e_conn_memsize_max(const h2e_config *config);

/* ---- life cycle ------------------------------------------------------- */

/* A client queues its connection preface and SETTINGS at once; a server
 * queues its SETTINGS and waits for the client preface. Returns NULL when
 * the allocator fails or the config is out of range. */
H2E_API h2e_conn *h2e_conn_new(const h2e_config *config,
                               const h2e_allocator *allocator, uint64_t now_ms);
H2E_API void h2e_conn_free(h2e_conn *conn);

/* The SETTINGS a connection with this config opens with (at most
 * H2E_OPENING_SETTINGS_MAX entries): fills out[0..cap) and returns how
 * many there are. A client sends the same in HTTP2-Settings when it
 * upgrades. */
#define H2E_OPENING_SETTINGS_MAX 8
H2E_API size_t h2e_config_settings(const h2e_config *config, h2e_setting *out,
                                   size_t cap);

/* ---- h2c upgrade (RFC 7540 §3.2) ------------------------------------- */

/* The HTTP/1.1 part stays with the application; the engine takes over
 * after the 101 (Switching Protocols).
 *
 * Client: send the request with "Connection: Upgrade, HTTP2-Settings",
 * "Upgrade: h2c" and "HTTP2-Settings: " + h2e_upgrade_settings_encode of
 * h2e_config_settings(config) (the whole body, if any, goes with it).
 * On 101, h2e_conn_new_upgraded(H2E_CLIENT config, ..., NULL, 0, NULL, 0):
 * stream 1 is the request, half-closed (local); its response comes as
 * H2E_EV_HEADERS / DATA on stream 1. The preface and SETTINGS go out
 * first, as for any client. (Without 101 the exchange stays HTTP/1.1.)
 *
 * Server: decode HTTP2-Settings with h2e_upgrade_settings_decode (on an
 * error, do not upgrade), read the request body if any, answer 101, then
 * h2e_conn_new_upgraded(H2E_SERVER config, ..., settings, n, request
 * fields as HTTP/2 fields (:method, :scheme "http", :authority from Host,
 * :path, then the other fields without the connection-specific ones),
 * count). The settings apply as the client's, without ACK (§3.2.1: the
 * 101 acknowledges them); stream 1 is half-closed (remote) and an
 * H2E_EV_HEADERS (REQUEST, end_stream) for it is waiting; answer it on
 * stream 1. Then feed the bytes after the request: the client preface
 * comes next.
 *
 * Returns NULL as h2e_conn_new does, and also when a setting is out of
 * range or the request's fields exceed the decoded-field memory. */
H2E_API h2e_conn *
h2e_conn_new_upgraded(const h2e_config *config, const h2e_allocator *allocator,
                      uint64_t now_ms, const h2e_setting *settings,
                      size_t settings_count, const h2e_field *request,
                      size_t request_count);

/* The HTTP2-Settings value for these settings: base64url without padding
 * (RFC 7540 §3.2.1), NUL-terminated into out. Returns its length (8
 * characters per setting), or H2E_ERR_BUFFER_TOO_SMALL. */
H2E_API ptrdiff_t h2e_upgrade_settings_encode(const h2e_setting *settings,
                                              size_t count, char *out,
                                              size_t cap);
/* Decodes an HTTP2-Settings value into out[0..cap). Returns the number of
 * settings, H2E_ERR_PROTOCOL (not base64url of whole settings, or a value
 * out of range, RFC 9113 §6.5.2) or H2E_ERR_BUFFER_TOO_SMALL. */
H2E_API ptrdiff_t h2e_upgrade_settings_decode(const char *value, size_t len,
                                              h2e_setting *out, size_t cap);

/* ---- bytes in --------------------------------------------------------- */

/* Feeds bytes from the peer. Returns the bytes consumed, which may be
 * fewer than len when the engine needs its events pulled or its output
 * drained first (backpressure: call again with the rest after doing so),
 * or a negative code:
 *   H2E_ERR_NOT_HTTP2  (server) the input opens with an HTTP/1.x request
 *                      line, not the preface; nothing was consumed, so an
 *                      HTTP/1.1 stack can take the bytes. (Octets that
 *                      match the preface are consumed as they come, so a
 *                      first input of a lone "P" is taken for the
 *                      preface's start.)
 *   H2E_ERR_CONN_CLOSED the connection is terminal (after a connection
 *                      error, or GOAWAY both ways with no stream left).
 * A protocol error by the peer is not a return code: it queues GOAWAY and
 * an H2E_EV_CONN_ERROR event (or RST_STREAM and H2E_EV_STREAM_RESET). */
H2E_API ptrdiff_t h2e_conn_recv(h2e_conn *conn, const uint8_t *in, size_t len,
                                uint64_t now_ms);

/* ---- events out ------------------------------------------------------- */

typedef enum h2e_event_type {
  H2E_EV_NONE = 0,
  H2E_EV_SETTINGS,     /* the peer's SETTINGS applied (ACK queued) */
  H2E_EV_SETTINGS_ACK, /* the peer acknowledged our SETTINGS */
  H2E_EV_HEADERS,      /* a header block on a stream */
  H2E_EV_DATA,         /* DATA payload on a stream */
  /* A stream ended abnormally: the peer reset it, the engine reset it
   * (a stream error), or a GOAWAY left it unprocessed. Not raised for
   * h2e_submit_rst_stream. Every other stream the application knows
   * ends with exactly one STREAM_CLOSED or STREAM_RESET, unless the
   * connection fails first (H2E_EV_CONN_ERROR ends them all). */
  H2E_EV_STREAM_RESET,
  H2E_EV_STREAM_CLOSED,  /* a stream finished both ways; its id is done */
  H2E_EV_PUSH_PROMISE,   /* client: the server promised a stream */
  H2E_EV_GOAWAY,         /* the peer sent GOAWAY */
  H2E_EV_PING_ACK,       /* our PING came back */
  H2E_EV_DATA_SENT,      /* a submitted body buffer is released (stream_id
                            is the stream it was submitted on) */
  H2E_EV_WINDOW_OPEN,    /* a stream blocked by flow control can send again */
  H2E_EV_CONN_ERROR,     /* the connection failed; it is terminal */
  H2E_EV_ALTSVC,         /* client: RFC 7838 ALTSVC */
  H2E_EV_ORIGIN,         /* client: RFC 8336 ORIGIN */
  H2E_EV_PRIORITY_UPDATE /* server: RFC 9218 PRIORITY_UPDATE, already
                            applied to the stream if it parsed */
} h2e_event_type;

/* What a header block is, from the stream's point of view. */
typedef enum h2e_headers_kind {
  H2E_HEADERS_REQUEST = 0,   /* server: the request head */
  H2E_HEADERS_RESPONSE,      /* client: the final response head */
  H2E_HEADERS_INFORMATIONAL, /* client: a 1xx response */
  H2E_HEADERS_TRAILERS       /* either side: trailers (always END_STREAM) */
} h2e_headers_kind;

typedef struct h2e_event {
  h2e_event_type type;
  uint32_t stream_id; /* 0 for connection-level events */
  union {
    struct {
      const h2e_field *fields;
      size_t count;
      h2e_headers_kind kind;
      uint8_t end_stream;
    } headers;
    struct {
      const uint8_t *data;
      size_t len; /* give it back with h2e_consume (padding is credited
                     by the engine itself) */
      uint8_t end_stream;
    } data;
    struct {
      uint32_t error_code; /* RFC 9113 §7 */
      uint8_t by_peer;     /* the peer sent RST_STREAM (else we did) */
      /* the request never reached the application: REFUSED_STREAM, or
       * above the last stream id of a GOAWAY (RFC 9113 §8.7) */
      uint8_t retryable;
      /* static text citing the rule the peer broke (when we reset the
       * stream for a protocol error), else NULL */
      const char *reason;
    } reset;
    struct {
      uint32_t promised_stream_id;
      const h2e_field *fields;
      size_t count;
    } push_promise;
    struct {
      uint32_t last_stream_id;
      uint32_t error_code;
      const uint8_t *debug_data;
      size_t debug_len;
    } goaway;
    struct {
      uint8_t opaque_data[8];
      uint64_t rtt_ms;
    } ping_ack;
    struct {
      uint64_t cookie;
    } data_sent;
    struct {
      uint32_t error_code; /* what our GOAWAY carries (or the peer's) */
      uint8_t by_peer;     /* the peer's GOAWAY carried an error */
      const char *reason;  /* static text citing the rule */
    } conn_error;
    struct {
      const uint8_t *origin;
      size_t origin_len;
      const uint8_t *field_value;
      size_t field_value_len;
    } altsvc;
    struct {
      /* Origin-Entry list in wire form; walk it with h2e_origin_next. */
      const uint8_t *entries;
      size_t entries_len;
    } origin;
    struct {
      uint32_t prioritized_stream_id;
      const uint8_t *field_value;
      size_t field_value_len;
    } priority_update;
  } u;
} h2e_event;

/* Pulls the next event. Returns 1 with *ev filled, or 0 when none is
 * waiting. */
H2E_API int h2e_conn_next_event(h2e_conn *conn, h2e_event *ev);

/* ---- submitting ------------------------------------------------------- */

enum {
  H2E_END_STREAM = 0x1 /* the frame ends our side of the stream */
};

/* Client: opens a stream with a request head. Returns the new stream id,
 * or H2E_ERR_STREAM_LIMIT (the peer's MAX_CONCURRENT_STREAMS is reached:
 * queue the request and retry after a stream closes),
 * H2E_ERR_STREAM_IDS_EXHAUSTED (open a new connection),
 * H2E_ERR_WOULDBLOCK (output full), H2E_ERR_CONN_CLOSED (GOAWAY received
 * or sent: no new streams here), H2E_ERR_INVALID_ARG (a malformed request
 * head, see http_flags), H2E_ERR_NOMEM (the allocator refused the
 * header-block buffer: nothing was queued, the connection goes on). A
 * HEAD request is remembered: its response may carry no content. */
H2E_API int32_t h2e_submit_request(h2e_conn *conn, const h2e_field *fields,
                                   size_t count, unsigned flags);

/* Server: a response head (a 1xx one may come before the final one).
 * Client or server: trailers are h2e_submit_headers with H2E_END_STREAM
 * after the body; submitted while body buffers still wait, they are held
 * (copied) and go out right after the last one. A header block without
 * H2E_END_STREAM after the final head (a request, or a response that is
 * not 1xx) is H2E_ERR_INVALID_ARG (RFC 9113 §8.1), and so is a malformed
 * one (a response without a valid :status, trailers with pseudo-header
 * fields, ...: see http_flags). Header blocks are
 * HPACK-encoded at once; H2E_ERR_WOULDBLOCK when the output buffer is
 * full, H2E_ERR_BUFFER_TOO_SMALL when the block could never fit it,
 * H2E_ERR_STREAM_CLOSED when the stream cannot send (closed, reset, or
 * our END_STREAM already submitted), H2E_ERR_NOMEM when the allocator
 * refused the header-block buffer or the held-trailers area (nothing was
 * queued, the connection goes on). */
H2E_API int h2e_submit_headers(h2e_conn *conn, uint32_t stream_id,
                               const h2e_field *fields, size_t count,
                               unsigned flags);

/* Queues body bytes, referenced, not copied: data must stay valid until
 * H2E_EV_DATA_SENT(cookie). len may be 0 with H2E_END_STREAM. The
 * stream's head must have been submitted (H2E_ERR_INVALID_ARG), RFC 9113
 * §8.1. */
H2E_API int h2e_submit_data(h2e_conn *conn, uint32_t stream_id,
                            const void *data, size_t len, unsigned flags,
                            uint64_t cookie);

/* Queues a body region of a file: the output gather hands back
 * (fd, offset, len) for the adapter to sendfile. */
H2E_API int h2e_submit_file(h2e_conn *conn, uint32_t stream_id, int fd,
                            uint64_t offset, uint64_t len, unsigned flags,
                            uint64_t cookie);

/* ---- server push (RFC 9113 §8.4) ------------------------------------ */

/* Server: promises a pushed response on the client's request stream
 * associated_stream_id (open or half-closed (remote), our response not
 * ended). fields are the promised request, whose :method must be GET or
 * HEAD (safe and cacheable, no content). Returns the promised (even)
 * stream id, now reserved (local); answer it with h2e_submit_headers /
 * h2e_submit_data as any request, which makes it half-closed (remote).
 * Errors: H2E_ERR_PUSH_DISABLED (the client's SETTINGS_ENABLE_PUSH is 0),
 * H2E_ERR_STREAM_CLOSED (associated stream not usable),
 * H2E_ERR_INVALID_ARG (a client, or not GET/HEAD), H2E_ERR_STREAM_LIMIT
 * (no stream slot left), H2E_ERR_WOULDBLOCK / H2E_ERR_BUFFER_TOO_SMALL
 * (output buffer), H2E_ERR_CONN_CLOSED (GOAWAY either way).
 * The response head on a promised stream counts toward the client's
 * SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2): h2e_submit_headers says
 * H2E_ERR_STREAM_LIMIT until a stream closes.
 *
 * Client: pushes need config.enable_push = 1 (with the default 0 a
 * PUSH_PROMISE is a connection error PROTOCOL_ERROR). Each promise raises
 * H2E_EV_PUSH_PROMISE on the associated stream; the promised stream is
 * reserved (remote) and its response arrives as H2E_EV_HEADERS / DATA on
 * the promised id. Refuse one with h2e_submit_rst_stream(id, H2E_CANCEL):
 * events about it queued before that still come (consume their DATA),
 * and H2E_ERR_STREAM_CLOSED says the pushed response had already ended
 * in the input that carried the promise. */
H2E_API int32_t h2e_submit_push_promise(h2e_conn *conn,
                                        uint32_t associated_stream_id,
                                        const h2e_field *fields, size_t count);

/* ---- CONNECT tunnels (RFC 9113 §8.5, RFC 8441) ------------------------ */

/* A CONNECT request (:method CONNECT and :authority; or an extended
 * CONNECT with :protocol, :scheme, :path, :authority) goes out with
 * h2e_submit_request without H2E_END_STREAM; a 2xx response head opens
 * the tunnel, whose bytes are the stream's DATA both ways; END_STREAM
 * closes one direction (a TCP FIN), RST_STREAM CONNECT_ERROR reports a
 * broken connection behind the proxy. h2e_submit_request with :protocol
 * says H2E_ERR_CONNECT_PROTOCOL_DISABLED until the server's SETTINGS
 * carried ENABLE_CONNECT_PROTOCOL=1 (RFC 8441 §3); a server announces it
 * with config.enable_connect_protocol.
 *
 * Another h2e connection can run inside the tunnel without copying its
 * bytes (tests/test_tunnel.c does this):
 *   - inner -> outer: take the inner vecs with h2e_conn_output(inner) and
 *     submit each with h2e_submit_data(outer, tunnel_stream, base, len, 0,
 *     cookie). Call h2e_conn_output_done(inner, total) only once the outer
 *     engine has released all of them (H2E_EV_DATA_SENT): until then the
 *     inner vecs stay valid and h2e_conn_output(inner) repeats them, so
 *     hand them over once. A vec refused with H2E_ERR_WOULDBLOCK comes
 *     again after that output_done.
 *   - outer -> inner: feed each H2E_EV_DATA slice of the tunnel stream to
 *     h2e_conn_recv(inner) and give back to the outer engine with
 *     h2e_consume only what the inner engine took; when it takes less,
 *     pull its events and move its output, then feed the rest, all before
 *     the next h2e_conn_recv(outer) (the slice lives until then). The
 *     outer window then stops a peer that outruns the inner engine. */

/* ---- ALTSVC (RFC 7838 §4) and ORIGIN (RFC 8336) ------------------------ */

/* Server: an ALTSVC frame. On stream 0 origin names the origin (required);
 * on a live stream origin must be empty (the stream's own origin). value
 * is the Alt-Svc field value, e.g. h3=":443"; ma=3600. Clients get
 * H2E_EV_ALTSVC. H2E_ERR_INVALID_ARG, H2E_ERR_STREAM_CLOSED,
 * H2E_ERR_BUFFER_TOO_SMALL (beyond the peer's frame size),
 * H2E_ERR_WOULDBLOCK. */
H2E_API int h2e_submit_altsvc(h2e_conn *conn, uint32_t stream_id,
                              const char *origin, size_t origin_len,
                              const char *value, size_t value_len);

typedef struct h2e_origin_entry {
  const char *origin; /* ASCII serialization, e.g. "https://example.com" */
  size_t origin_len;
} h2e_origin_entry;

/* Server: an ORIGIN frame on stream 0 listing the origins this connection
 * serves (count may be 0: none beyond the default). Clients get
 * H2E_EV_ORIGIN. Same errors as h2e_submit_altsvc. */
H2E_API int h2e_submit_origin(h2e_conn *conn, const h2e_origin_entry *entries,
                              size_t count);

/* RST_STREAM with an RFC 9113 §7 code; queued body buffers are released
 * (DATA_SENT events). */
H2E_API int h2e_submit_rst_stream(h2e_conn *conn, uint32_t stream_id,
                                  uint32_t error_code);

/* A PING with our opaque data; H2E_EV_PING_ACK reports the round trip.
 * H2E_ERR_NOMEM (and the connection fails with INTERNAL_ERROR) when the
 * record of frames awaiting their ACK cannot be allocated; so too for
 * h2e_submit_settings. */
H2E_API int h2e_submit_ping(h2e_conn *conn, const uint8_t opaque_data[8],
                            uint64_t now_ms);

/* GOAWAY. Graceful (error_code NO_ERROR): a server sends a GOAWAY with
 * 2^31-1, then a PING, then, when it returns, the real last stream id
 * (RFC 9113 §6.8); a client sends the real last (pushed) stream id at
 * once. Open streams finish. Otherwise immediate with the code and debug text
 * (at most 96 octets are sent), and the connection is over once that
 * GOAWAY is written. Received, a GOAWAY raises H2E_EV_GOAWAY and resets
 * our streams above its last id (retryable); one with a known error code
 * also raises H2E_EV_CONN_ERROR (by_peer) and ends the connection, while
 * unknown codes mean nothing special (RFC 9113 §7). */
H2E_API int h2e_submit_goaway(h2e_conn *conn, uint32_t error_code,
                              const char *debug_text, uint64_t now_ms);

/* New SETTINGS of ours (tracked until ACKed, with the settings timeout). */
H2E_API int h2e_submit_settings(h2e_conn *conn, const h2e_setting *settings,
                                size_t count, uint64_t now_ms);

/* Gives back len octets of receive window on a stream (and the
 * connection) after the application used delivered DATA. len may not
 * exceed what was delivered and not yet given back (H2E_ERR_INVALID_ARG).
 * Every delivered octet must come back this way (unless auto_consume),
 * even after its stream is over: then only the connection window grows,
 * so the connection window bounds what the application holds. */
H2E_API int h2e_consume(h2e_conn *conn, uint32_t stream_id, size_t len);

/* ---- bytes out -------------------------------------------------------- */

/* One piece of output: memory (fd == -1: base/len) or a file region
 * (fd, offset, len) to sendfile. */
typedef struct h2e_output_vec {
  const uint8_t *base;
  size_t len;
  int fd;
  uint64_t offset;
} h2e_output_vec;

/* Fills up to max vecs with the bytes to send next, in order: control
 * frames first, then header blocks, then DATA (by stream priority: see
 * h2e_stream_set_priority).
 * Returns the number of vecs; 0 when nothing is to be sent. Calling it
 * again without output_done gives the same bytes. */
H2E_API size_t h2e_conn_output(h2e_conn *conn, h2e_output_vec *vecs,
                               size_t max);

/* The vecs stay valid until h2e_conn_output_done.
 *
 * Says that the first `bytes` of the last output were written. Released
 * body buffers raise H2E_EV_DATA_SENT. */
H2E_API void h2e_conn_output_done(h2e_conn *conn, size_t bytes);

/* ---- time and state --------------------------------------------------- */

/* The next time h2e_conn_tick must run (ms, same clock as the now_ms
 * arguments), or UINT64_MAX when no timer is armed. */
H2E_API uint64_t h2e_conn_deadline(const h2e_conn *conn);
/* Runs the timers due at now_ms: settings timeout (connection error
 * SETTINGS_TIMEOUT), keepalive PING, idle GOAWAY, giving back the
 * buffers of a connection with no open stream. Event slices from before
 * end here once every event was pulled (see Lifetimes). Returns 1 when
 * the tick queued something for the caller (an event to pull or a frame
 * to send), 0 when it only gave memory back or nothing was due: a loop
 * need not turn again for a 0. */
H2E_API int h2e_conn_tick(h2e_conn *conn, uint64_t now_ms);

enum {
  H2E_WANT_READ = 0x1,  /* feed input: the engine can take more */
  H2E_WANT_WRITE = 0x2, /* output is waiting */
  H2E_CLOSED = 0x4      /* terminal, and all output is drained */
};
/* What the connection waits for, as H2E_WANT_* | H2E_CLOSED bits. An
 * adapter stops reading while WANT_READ is clear (backpressure). */
H2E_API unsigned h2e_conn_want(const h2e_conn *conn);

/* RFC 9113 §5.1 stream states. */
typedef enum h2e_stream_state {
  H2E_STATE_IDLE = 0,
  H2E_STATE_RESERVED_LOCAL,
  H2E_STATE_RESERVED_REMOTE,
  H2E_STATE_OPEN,
  H2E_STATE_HALF_CLOSED_LOCAL,
  H2E_STATE_HALF_CLOSED_REMOTE,
  H2E_STATE_CLOSED
} h2e_stream_state;

H2E_API h2e_stream_state h2e_stream_get_state(const h2e_conn *conn,
                                              uint32_t stream_id);
/* The caller's pointer for a stream (NULL until set). */
H2E_API int h2e_stream_set_user_data(h2e_conn *conn, uint32_t stream_id,
                                     void *user_data);
H2E_API void *h2e_stream_get_user_data(const h2e_conn *conn,
                                       uint32_t stream_id);

/* ---- priorities (RFC 9218) --------------------------------------------- */

/* A stream's priority orders our DATA: lower urgency first; within one
 * urgency, non-incremental streams one at a time in stream-id order, then
 * incremental ones round robin, a frame each. A server takes it from the
 * request's Priority header field, then from the client's
 * PRIORITY_UPDATE frames (which also raise H2E_EV_PRIORITY_UPDATE;
 * updates for streams not open yet are kept, up to 16, and applied when
 * the stream opens). Either side may set it itself at any time (a server
 * may override the client, RFC 9218 §8); the last signal wins. Returns
 * H2E_OK, H2E_ERR_INVALID_ARG, or H2E_ERR_STREAM_CLOSED (no such live
 * stream). */
H2E_API int h2e_stream_set_priority(h2e_conn *conn, uint32_t stream_id,
                                    const h2e_priority *priority);
H2E_API int h2e_stream_get_priority(const h2e_conn *conn, uint32_t stream_id,
                                    h2e_priority *priority);
/* Client: a PRIORITY_UPDATE frame (RFC 9218 §7.1) asking the server to
 * reprioritize a live stream (a request, or a promised push). It does not
 * change how we send on the stream. H2E_ERR_INVALID_ARG on a server or
 * for an invalid priority, H2E_ERR_STREAM_CLOSED, H2E_ERR_WOULDBLOCK
 * (output full), H2E_ERR_CONN_CLOSED. */
H2E_API int h2e_submit_priority_update(h2e_conn *conn, uint32_t stream_id,
                                       const h2e_priority *priority);

/* The peer's current value of a SETTINGS parameter (RFC defaults until
 * its SETTINGS arrive). */
H2E_API uint32_t h2e_conn_peer_setting(const h2e_conn *conn, uint16_t id);
/* How many more streams we may open now (peer's MAX_CONCURRENT_STREAMS
 * minus our open streams); 0 after GOAWAY. */
H2E_API uint32_t h2e_conn_streams_available(const h2e_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* H2E_H */
