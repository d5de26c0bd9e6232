/* The state of one connection fuzz run: the engine under test, the peer
 * that writes its input, the application that submits and pulls events,
 * and the two observers that check every octet crossing the connection:
 *
 *   peer bytes --(h2e_conn_recv)--> engine --(h2e_conn_output)--> wire
 *        \-- mirror: the frames the engine consumed, as our own frame
 *            reader sees them (the peer's window credit, its SETTINGS
 *            and PINGs, which the engine must answer in order)
 *
 * The functions live in conn_fuzz_mirror.h, conn_fuzz_wire.h,
 * conn_fuzz_peer.h, conn_fuzz_app.h and conn_fuzz_driver.h. */
#ifndef CONN_FUZZ_RUN_H
#define CONN_FUZZ_RUN_H

#include "conn_fuzz_alloc.h"
#include "conn_fuzz_check.h"
#include "conn_fuzz_streams.h"
#include "fuzz_input.h"

#define CF_QUEUE_MAX 1024 /* peer SETTINGS / PINGs awaiting the engine */

/* What a SETTINGS frame says about the sender's HPACK table and frame
 * size, once its receiver acknowledges it. */
typedef struct cf_settings_note {
  uint8_t has_table;
  uint32_t table_min; /* smallest HEADER_TABLE_SIZE in the frame */
  uint32_t table_last;
  uint8_t has_frame_size;
  uint32_t frame_size;
  uint8_t has_max_streams;
  uint32_t max_streams;
} cf_settings_note;

typedef struct cf_mirror {
  h2e_frame_reader reader;
  uint8_t *buf;
  size_t preface_left;  /* server engine: the client preface comes first */
  int dead;             /* the reader hit a connection error: stop */
  uint64_t conn_credit; /* WINDOW_UPDATE increments on stream 0 */
  uint32_t max_initial_window; /* largest INITIAL_WINDOW_SIZE ever */
  uint32_t max_frame_size_seen;
  uint64_t data_received;  /* DATA frame octets (padding too), §6.9 */
  uint32_t goaway_last_id; /* lowest last stream id of the peer's GOAWAYs */
  uint8_t goaway_seen;
  cf_settings_note settings[CF_QUEUE_MAX]; /* awaiting the engine's ACK */
  uint32_t settings_head, settings_count;
  int settings_lost;              /* the queue overflowed: ACK checks are off */
  uint8_t pings[CF_QUEUE_MAX][8]; /* awaiting the engine's PING ACK */
  uint32_t ping_head, ping_count;
  int pings_lost;
} cf_mirror;

#define CF_ENGINE_NOTES 16

typedef struct cf_wire {
  uint8_t *buf; /* engine output not parsed yet */
  size_t len, cap;
  size_t preface_left; /* client engine: the preface comes first */
  uint64_t frames;
  uint32_t peer_max_frame; /* the peer's MAX_FRAME_SIZE as of its last ACK */
  /* the engine's header block being assembled */
  uint8_t *block;
  size_t block_len, block_cap;
  uint32_t block_stream;
  uint8_t block_open;
  uint8_t block_end_stream;
  uint8_t block_is_promise; /* the block came in a PUSH_PROMISE */
  h2e_hpack_decoder *decoder;
  h2e_hpack_output out;
  /* GOAWAY */
  uint8_t goaway_seen;
  uint8_t error_goaway; /* one with an error code: nothing may follow */
  uint32_t goaway_last_id;
  uint32_t goaway_min_last_id;   /* lowest of all */
  uint32_t highest_local_stream; /* the engine's own streams (§5.1.1) */
  uint32_t highest_promised;     /* the server's pushed streams */
  uint64_t conn_data_sent;
  uint64_t conn_credit_granted; /* the engine's WINDOW_UPDATEs on stream 0 */
  uint32_t peer_max_streams;    /* as of the peer's last ACKed SETTINGS */
  /* the engine's SETTINGS and PINGs, for the peer to acknowledge */
  cf_settings_note settings[CF_ENGINE_NOTES];
  uint32_t settings_head, settings_count;
  uint8_t pings[CF_ENGINE_NOTES][8];
  uint32_t ping_head, ping_count;
} cf_wire;

typedef struct cf_peer {
  uint8_t *buf; /* bytes written by the peer: buf[head..len) not consumed */
  size_t head, len, cap;
  uint32_t next_stream_id; /* the next stream the peer opens (or promises) */
  h2e_hpack_encoder *encoder;
  uint8_t *scratch; /* a frame or block being built */
  size_t scratch_cap;
} cf_peer;

#define CF_BODIES_MAX 4096
#define CF_CHUNKS_MAX 256
#define CF_USER_PINGS 256 /* as many as opaque[7] tells apart */

typedef struct cf_body {
  uint64_t cookie; /* 0: free */
  uint8_t *data;   /* its own allocation, freed at DATA_SENT */
  uint32_t stream_id;
} cf_body;

typedef struct cf_app {
  cf_body bodies[CF_BODIES_MAX]; /* by cookie % CF_BODIES_MAX */
  uint64_t next_cookie;
  uint64_t bodies_out;
  uint8_t *chunks[CF_CHUNKS_MAX]; /* recv inputs events may point into */
  size_t chunk_count;
  uint8_t user_pings[CF_USER_PINGS][8];
  uint32_t user_ping_count;
  int32_t last_request_id;
  uint8_t conn_error;   /* H2E_EV_CONN_ERROR pulled */
  uint8_t consume_mode; /* 0: consume DATA at once, 1: later, 2: never */
  uint64_t unconsumed_total;
} cf_app;

typedef struct cf_run {
  h2e_role role;
  h2e_config config;
  h2e_conn *conn;
  cf_budget budget;
  h2e_allocator allocator;
  fuzz_input in;
  uint64_t now_ms;
  int auto_ack; /* the pump op answers the engine's SETTINGS and PINGs */
  int trace;    /* CONN_FUZZ_TRACE set: say what happens on stderr */
  cf_streams streams;
  cf_mirror mirror;
  cf_wire wire;
  cf_peer peer;
  cf_app app;
} cf_run;

/* Return codes an API call may give: anything else, H2E_ERR_INTERNAL
 * first of all, is a bug. */
static int cf_rc_in(int rc, const int *allowed, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (rc == allowed[i])
      return 1;
  return 0;
}

#define CF_TRACE(r, ...)                                                       \
  do {                                                                         \
    if ((r)->trace)                                                            \
      fprintf(stderr, __VA_ARGS__);                                            \
  } while (0)

#define CF_CHECK_RC(rc, name, ...)                                             \
  do {                                                                         \
    static const int cf_allowed_[] = {__VA_ARGS__};                            \
    CF_CHECK(cf_rc_in((int)(rc), cf_allowed_, CF_COUNT(cf_allowed_)), name);   \
  } while (0)

#endif
