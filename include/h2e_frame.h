/* h2e — standalone HTTP/2 frame codec.
 *
 * Parses and writes the frames of RFC 9113 §4 and §6 (DATA .. CONTINUATION)
 * plus ALTSVC (RFC 7838), ORIGIN (RFC 8336) and PRIORITY_UPDATE (RFC 9218).
 * Frames of any other type pass through as raw payload so the caller can
 * skip them (RFC 9113 §5.5).
 *
 * Everything here is stateless or works on caller-owned structs: no
 * allocation, no global state. Parsed frames are zero-copy: every byte
 * string in an h2e_frame points into the caller's input (or into the
 * reader's buffer, see h2e_frame_reader).
 *
 * This layer checks every rule that a single frame can break on its own
 * (RFC 9113 §4, §6, §6.5.2) and names the RFC error code and its scope.
 * Rules that need connection state (stream states, CONTINUATION sequencing,
 * SETTINGS acknowledgement, flow-control windows) belong to the engine.
 */
#ifndef H2E_FRAME_H
#define H2E_FRAME_H

#include "h2e_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 9113 §4.1: every frame starts with a 9-octet header. */
#define H2E_FRAME_HEADER_LEN 9
/* RFC 9113 §4.2 / §6.5.2: SETTINGS_MAX_FRAME_SIZE bounds. */
#define H2E_MAX_FRAME_SIZE_MIN 16384u
#define H2E_MAX_FRAME_SIZE_MAX 16777215u
/* RFC 9113 §6.9.1: the largest flow-control window. */
#define H2E_MAX_WINDOW_SIZE 2147483647u
/* RFC 9113 §4.1: 31-bit stream identifiers. */
#define H2E_MAX_STREAM_ID 2147483647u

/* Frame types (RFC 9113 §6, RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1). */
typedef enum h2e_frame_type {
  H2E_FRAME_DATA = 0x0,
  H2E_FRAME_HEADERS = 0x1,
  H2E_FRAME_PRIORITY = 0x2,
  H2E_FRAME_RST_STREAM = 0x3,
  H2E_FRAME_SETTINGS = 0x4,
  H2E_FRAME_PUSH_PROMISE = 0x5,
  H2E_FRAME_PING = 0x6,
  H2E_FRAME_GOAWAY = 0x7,
  H2E_FRAME_WINDOW_UPDATE = 0x8,
  H2E_FRAME_CONTINUATION = 0x9,
  H2E_FRAME_ALTSVC = 0xa,
  H2E_FRAME_ORIGIN = 0xc,
  H2E_FRAME_PRIORITY_UPDATE = 0x10
} h2e_frame_type;

/* Frame flags. Parsing masks flags to those the type defines (RFC 9113
 * §4.1: unknown flags are ignored); unknown types keep their raw flags. */
enum {
  H2E_FLAG_END_STREAM = 0x01,  /* DATA, HEADERS */
  H2E_FLAG_ACK = 0x01,         /* SETTINGS, PING */
  H2E_FLAG_END_HEADERS = 0x04, /* HEADERS, PUSH_PROMISE, CONTINUATION */
  H2E_FLAG_PADDED = 0x08,      /* DATA, HEADERS, PUSH_PROMISE */
  H2E_FLAG_PRIORITY = 0x20     /* HEADERS */
};

/* SETTINGS identifiers (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1). */
enum {
  H2E_SETTINGS_HEADER_TABLE_SIZE = 0x1,
  H2E_SETTINGS_ENABLE_PUSH = 0x2,
  H2E_SETTINGS_MAX_CONCURRENT_STREAMS = 0x3,
  H2E_SETTINGS_INITIAL_WINDOW_SIZE = 0x4,
  H2E_SETTINGS_MAX_FRAME_SIZE = 0x5,
  H2E_SETTINGS_MAX_HEADER_LIST_SIZE = 0x6,
  H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8,
  H2E_SETTINGS_NO_RFC7540_PRIORITIES = 0x9
};

/* The 9-octet header, decoded. */
typedef struct h2e_frame_header {
  uint32_t length;    /* payload length, 24 bits */
  uint8_t type;       /* h2e_frame_type or any other value */
  uint8_t flags;      /* masked to the type's defined flags when parsed */
  uint32_t stream_id; /* reserved bit cleared */
} h2e_frame_header;

/* RFC 9113 §5.3.2 / §6.3: the deprecated priority fields, as on the wire
 * (the weight is the octet, the RFC's weight minus one). */
typedef struct h2e_frame_priority {
  uint32_t dependency; /* 31 bits */
  uint8_t exclusive;   /* 0 or 1 */
  uint8_t weight;      /* 0..255 meaning weights 1..256 */
} h2e_frame_priority;

/* One SETTINGS parameter. */
typedef struct h2e_setting {
  uint16_t id;
  uint32_t value;
} h2e_setting;

/* Why a well-formed frame is to be skipped without error. */
typedef enum h2e_frame_ignore {
  H2E_FRAME_USE = 0,             /* a frame to act on */
  H2E_FRAME_IGNORE_UNKNOWN_TYPE, /* RFC 9113 §4.1, §5.5 */
  /* RFC 7838 §4: origin/stream mismatch, or too short for its fields */
  H2E_FRAME_IGNORE_ALTSVC,
  /* RFC 8336 §2.1: not on stream 0, or entries that do not fit */
  H2E_FRAME_IGNORE_ORIGIN
} h2e_frame_ignore;

/* A parsed frame, or a frame to write. Byte strings are not NUL-terminated
 * and point into the buffer the frame was parsed from.
 *
 * When writing, hd.type, hd.flags and hd.stream_id are used, hd.length is
 * ignored (the writer computes it), and the union member of the type
 * supplies the payload. Padding is written when hd.flags has
 * H2E_FLAG_PADDED (pad_len zero octets; pad_len is unused otherwise);
 * HEADERS priority fields when it has H2E_FLAG_PRIORITY. Unknown types,
 * and frames whose `ignore` is not H2E_FRAME_USE, write `payload` as is,
 * so every parsed frame can be written back. */
typedef struct h2e_frame {
  h2e_frame_header hd;
  h2e_frame_ignore ignore;
  /* The whole payload as received, padding and all (for a DATA piece
   * from a streaming reader: the piece's data). For unknown and ignored
   * frames this is all there is. */
  const uint8_t *payload;
  size_t payload_len;
  union {
    struct {
      const uint8_t *data; /* padding stripped */
      size_t data_len;
      uint8_t pad_len; /* Pad Length field (0 when not PADDED) */
      /* Position of `data` in the frame's data (padding excluded) and
       * whether it is the last piece: only a reader in
       * H2E_READER_STREAM_DATA mode splits DATA frames; otherwise always
       * offset 0, last 1. When writing, only data/data_len/pad_len count. */
      uint32_t offset;
      uint8_t last;
    } data;
    struct {
      const uint8_t *block; /* field block fragment */
      size_t block_len;
      uint8_t pad_len;
      h2e_frame_priority priority; /* valid with H2E_FLAG_PRIORITY */
    } headers;
    h2e_frame_priority priority;
    struct {
      uint32_t error_code; /* h2e_h2_error or any other value */
    } rst_stream;
    struct {
      /* `count` entries of 6 octets each in wire form; read them with
       * h2e_frame_setting(). Every value has passed h2e_setting_check. */
      const uint8_t *entries;
      size_t count;
    } settings;
    struct {
      uint32_t promised_stream_id;
      const uint8_t *block;
      size_t block_len;
      uint8_t pad_len;
    } push_promise;
    struct {
      uint8_t opaque_data[8];
    } ping;
    struct {
      uint32_t last_stream_id;
      uint32_t error_code;
      const uint8_t *debug_data;
      size_t debug_len;
    } goaway;
    struct {
      uint32_t increment; /* 1 .. 2^31-1 */
    } window_update;
    struct {
      const uint8_t *block;
      size_t block_len;
    } continuation;
    struct {
      const uint8_t *origin; /* empty on a stream, non-empty on stream 0 */
      size_t origin_len;
      const uint8_t *field_value; /* Alt-Svc field value */
      size_t field_value_len;
    } altsvc;
    struct {
      /* Origin-Entry list in wire form (2-octet length + ASCII origin,
       * repeated); walk it with h2e_origin_next(). */
      const uint8_t *entries;
      size_t entries_len;
    } origin;
    struct {
      uint32_t prioritized_stream_id;
      const uint8_t *field_value; /* RFC 9218 Priority field value */
      size_t field_value_len;
    } priority_update;
  } u;
} h2e_frame;

/* Who loses when a frame breaks a rule (RFC 9113 §5.4). */
typedef enum h2e_error_scope {
  H2E_SCOPE_CONNECTION = 0, /* §5.4.1: GOAWAY, the connection is over */
  H2E_SCOPE_STREAM = 1      /* §5.4.2: RST_STREAM on err.stream_id */
} h2e_error_scope;

/* A frame-level protocol violation. */
typedef struct h2e_frame_error {
  h2e_h2_error code; /* RFC 9113 §7 code for RST_STREAM / GOAWAY */
  h2e_error_scope scope;
  uint32_t stream_id; /* the frame's stream */
  const char *reason; /* static text citing the rule, for logs/GOAWAY */
} h2e_frame_error;

/* ---- names, for logs and the h2e-frames tool -------------------------- */

/* "DATA", "HEADERS", ..., "PRIORITY_UPDATE", "ALTSVC", "ORIGIN"; any other
 * type gives "UNKNOWN". */
H2E_API const char *h2e_frame_type_name(uint8_t type);
/* "HEADER_TABLE_SIZE", ..., "NO_RFC7540_PRIORITIES"; others "UNKNOWN". */
H2E_API const char *h2e_settings_name(uint16_t id);

/* ---- one-shot parsing ------------------------------------------------- */

/* Decodes the 9 octets at buf (which must hold them) without any check;
 * flags and stream id come out masked as in h2e_frame.hd. */
H2E_API void h2e_frame_header_decode(const uint8_t *buf, h2e_frame_header *hd);

/* Parses the frame at the start of buf[0..len).
 *
 * Returns the bytes the frame takes (9 + payload length) when it is whole
 * in buf; *out then describes it, with slices into buf.
 * H2E_ERR_NEED_MORE when buf ends before the frame does.
 * H2E_ERR_PROTOCOL when the frame breaks a rule; *err says which. A
 * connection error that the header shows (size over max_frame_size, wrong
 * stream, wrong length) is reported as soon as the 9 octets are in buf;
 * the others once the whole frame is. A stream error is reported only
 * once the whole frame is in buf, so the caller can skip
 * 9 + out->hd.length octets and go on; out->hd is then valid.
 * max_frame_size is our SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2).
 * Never reads beyond buf[len - 1]. */
H2E_API ptrdiff_t h2e_frame_parse(const uint8_t *buf, size_t len,
                                  uint32_t max_frame_size, h2e_frame *out,
                                  h2e_frame_error *err);

/* ---- SETTINGS, ORIGIN ------------------------------------------------- */

/* The index-th entry (index < frame->u.settings.count) of a parsed or
 * to-be-written SETTINGS frame. */
H2E_API h2e_setting h2e_frame_setting(const h2e_frame *frame, size_t index);

/* RFC 9113 §6.5.2 (and RFC 8441 §3, RFC 9218 §2.1) value ranges. Returns
 * 0, or H2E_ERR_PROTOCOL with err filled (connection scope, stream 0):
 * ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL, NO_RFC7540_PRIORITIES not 0/1 and
 * MAX_FRAME_SIZE outside 16384..16777215 are PROTOCOL_ERROR,
 * INITIAL_WINDOW_SIZE over 2^31-1 is FLOW_CONTROL_ERROR. Unknown ids pass
 * (they are ignored, §6.5.2). err may be NULL. */
H2E_API int h2e_setting_check(h2e_setting setting, h2e_frame_error *err);

/* Walks an Origin-Entry list (frame->u.origin.entries/entries_len of an
 * ORIGIN frame). Start with *pos = 0. Returns 1 and the next origin, or 0
 * at the end or at an entry that does not fit (parsing has checked that
 * the entries of a frame it did not ignore fit exactly). */
H2E_API int h2e_origin_next(const uint8_t *entries, size_t entries_len,
                            size_t *pos, const uint8_t **origin,
                            size_t *origin_len);

/* ---- incremental reader ----------------------------------------------- */

/* Reader options. */
enum {
  /* Deliver DATA payload as it arrives, in pieces that are slices of the
   * input (u.data.offset / u.data.last), so DATA is never buffered. Each
   * piece repeats the frame header (hd.length is the whole frame's, for
   * flow control); the first piece, and only it, has offset 0. A piece is
   * empty only when it is the last one (an empty DATA frame, or padding
   * that arrives after the data). A bad Pad Length is reported as soon as
   * it arrives. */
  H2E_READER_STREAM_DATA = 0x1
};

/* Caller-owned reader state. Set it up with h2e_frame_reader_init; the
 * fields are private. */
typedef struct h2e_frame_reader {
  uint8_t *buf; /* caller's assembly buffer */
  size_t buf_cap;
  size_t buf_have; /* payload octets assembled in buf */
  uint32_t max_frame_size;
  unsigned options;
  int state;
  int failed; /* sticky after a connection error */
  uint8_t header[H2E_FRAME_HEADER_LEN];
  uint8_t header_have;
  h2e_frame_header hd;
  uint32_t payload_done; /* payload octets consumed so far */
  uint8_t pad_len;
  h2e_frame_error error; /* the sticky connection error */
} h2e_frame_reader;

/* buf/buf_cap: where frames that span input chunks are assembled; it must
 * hold max_frame_size octets (DATA frames in H2E_READER_STREAM_DATA mode
 * never use it). buf may be NULL, to be given (buf_cap octets) only when
 * a frame needs it: see h2e_frame_read. Returns H2E_ERR_INVALID_ARG when
 * buf_cap is too small or max_frame_size is outside 16384..16777215. */
H2E_API int h2e_frame_reader_init(h2e_frame_reader *reader, uint8_t *buf,
                                  size_t buf_cap, uint32_t max_frame_size,
                                  unsigned options);

/* Gives the reader its assembly buffer (buf_cap octets, as at init), or
 * takes it back with buf NULL: H2E_ERR_WOULDBLOCK while a frame is being
 * assembled in it. A frame handed out of the buffer stays there only
 * until the buffer is taken back. */
H2E_API int h2e_frame_reader_set_buffer(h2e_frame_reader *reader, uint8_t *buf);

/* Our SETTINGS_MAX_FRAME_SIZE changed (once the peer ACKed it). The
 * buffer must hold the new size: H2E_ERR_INVALID_ARG otherwise. */
H2E_API int h2e_frame_reader_set_max_frame_size(h2e_frame_reader *reader,
                                                uint32_t max_frame_size);

/* Feeds in[0..len) and returns at most one frame.
 *
 * *consumed receives the input octets used; call again with the rest.
 * Returns 1 with *out filled (slices into `in` when the frame was whole in
 * it, else into the reader's buffer; valid until the next call), 0 when
 * all input was consumed without completing a frame, H2E_ERR_NOMEM when
 * a frame must be assembled and the reader has no buffer (give it one
 * with h2e_frame_reader_set_buffer and call again with the rest of the
 * input), or H2E_ERR_PROTOCOL with *err filled. After a stream error the reader
 * skips the rest of that frame by itself and can be fed on; after a connection
 * error it is failed and every later call returns the same error. Frames and
 * errors come out in the same order as h2e_frame_parse would give them on the
 * concatenated input, whatever the chunking. */
H2E_API int h2e_frame_read(h2e_frame_reader *reader, const uint8_t *in,
                           size_t len, size_t *consumed, h2e_frame *out,
                           h2e_frame_error *err);

/* ---- writing ---------------------------------------------------------- */

/* Writes the 9-octet header: length, type, flags and stream id (reserved
 * bit cleared). buf must hold 9 octets. For the engine, which puts DATA
 * headers in front of payloads it references. */
H2E_API void h2e_frame_write_header(uint8_t *buf, uint32_t length, uint8_t type,
                                    uint8_t flags, uint32_t stream_id);

/* Serializes *frame into buf[0..cap). Returns the octets written, or
 * H2E_ERR_BUFFER_TOO_SMALL (nothing written) when cap is short, or
 * H2E_ERR_INVALID_ARG when the payload would exceed 2^24-1 octets or a
 * byte string the frame needs is NULL with a non-zero length. *needed (if
 * not NULL) receives the frame's size on the wire whenever the frame is
 * writable, so cap 0 asks for it. Flags the type does not define and
 * reserved bits are sent as zero (RFC 9113 §4.1); beyond that the writer
 * does not police the RFC rules (the parser does): it writes what it is
 * given. */
H2E_API ptrdiff_t h2e_frame_write(const h2e_frame *frame, uint8_t *buf,
                                  size_t cap, size_t *needed);

/* Writes a SETTINGS frame on stream 0 from a list (flags: 0 or
 * H2E_FLAG_ACK with count 0). Same returns as h2e_frame_write. */
H2E_API ptrdiff_t h2e_frame_write_settings(const h2e_setting *settings,
                                           size_t count, uint8_t flags,
                                           uint8_t *buf, size_t cap,
                                           size_t *needed);

#ifdef __cplusplus
}
#endif

#endif /* H2E_FRAME_H */
