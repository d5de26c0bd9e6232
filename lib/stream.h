/* Streams: the RFC 9113 §5.1 state machine as one transition table, and
 * the stream table (O(1) lookup by id, streams from a bounded pool, a
 * bounded memory of recently closed streams). */
#ifndef H2E_STREAM_H
#define H2E_STREAM_H

#include "flow.h"
#include "h2e.h"
#include "http_check.h"
#include "list.h"
#include "sched.h"
#include "slab.h"

/* ---- the state machine -------------------------------------------------- */

/* RFC 9113 §5.1 states. "closed" is split by how the stream closed,
 * because §5.1 treats late frames differently for each cause. */
typedef enum h2e_sstate {
  H2E_SS_IDLE = 0,
  H2E_SS_RESERVED_LOCAL,
  H2E_SS_RESERVED_REMOTE,
  H2E_SS_OPEN,
  H2E_SS_HALF_CLOSED_LOCAL,
  H2E_SS_HALF_CLOSED_REMOTE,
  H2E_SS_CLOSED,            /* END_STREAM sent and received */
  H2E_SS_CLOSED_RESET_SENT, /* we sent RST_STREAM */
  H2E_SS_CLOSED_RESET_RECV, /* the peer sent RST_STREAM */
  H2E_SS_CLOSED_UNKNOWN,    /* a skipped id, or closed too long ago */
  H2E_SS_COUNT
} h2e_sstate;

/* What happens to a stream: a frame we send or receive (§5.1: "send:"
 * and "recv:"), END_STREAM as an input of its own. PROMISE is the
 * promised stream of a PUSH_PROMISE, PUSH_PROMISE the stream it is sent
 * on. */
typedef enum h2e_sinput {
  H2E_SI_SEND_HEADERS = 0,
  H2E_SI_SEND_PROMISE,
  H2E_SI_SEND_DATA,
  H2E_SI_SEND_END_STREAM,
  H2E_SI_SEND_PUSH_PROMISE, /* the stream a PUSH_PROMISE of ours goes on */
  H2E_SI_SEND_RST,
  H2E_SI_RECV_HEADERS,
  H2E_SI_RECV_PROMISE,
  H2E_SI_RECV_PUSH_PROMISE,
  H2E_SI_RECV_DATA,
  H2E_SI_RECV_END_STREAM,
  H2E_SI_RECV_RST,
  H2E_SI_RECV_PRIORITY,
  H2E_SI_RECV_WINDOW_UPDATE,
  H2E_SI_COUNT
} h2e_sinput;

typedef enum h2e_soutcome {
  /* §5.1: "In the absence of more specific rules, implementations SHOULD
   * treat the receipt of a frame that is not expressly permitted in the
   * description of a state as a connection error of type
   * PROTOCOL_ERROR." The table's default for what we receive. */
  H2E_SO_CONN_PROTOCOL_ERROR = 0,
  H2E_SO_OK,                 /* process the frame; go to `next` */
  H2E_SO_IGNORE,             /* process minimally, then discard */
  H2E_SO_STREAM_CLOSED,      /* stream error STREAM_CLOSED */
  H2E_SO_CONN_STREAM_CLOSED, /* connection error STREAM_CLOSED */
  H2E_SO_NOT_ALLOWED         /* we may not send this: caller's mistake */
} h2e_soutcome;

typedef struct h2e_transition {
  uint8_t outcome; /* h2e_soutcome */
  uint8_t next;    /* h2e_sstate */
} h2e_transition;

h2e_transition h2e_stream_transition(h2e_sstate state, h2e_sinput input);

/* The public view of a state. */
h2e_stream_state h2e_sstate_public(h2e_sstate state);

int h2e_sstate_is_closed(h2e_sstate state);

/* RFC 9113 §5.1.2: open and half-closed streams count toward
 * SETTINGS_MAX_CONCURRENT_STREAMS; reserved ones do not. */
int h2e_sstate_is_active(h2e_sstate state);

/* ---- a stream ----------------------------------------------------------- */

typedef struct h2e_stream {
  uint32_t id; /* (the pool's free list reuses these octets) */
  uint32_t slot;
  uint8_t live;
  uint8_t state; /* h2e_sstate */
  uint8_t peer_initiated;
  uint8_t counted;       /* included in the active count of its initiator */
  uint8_t reserved;      /* a promised stream not started yet */
  uint8_t app_knows;     /* the application has had an event about it */
  uint8_t head_received; /* request head (server), final response (client) */
  uint8_t local_end_submitted; /* END_STREAM submitted (maybe not sent) */
  uint8_t head_sent;           /* a header block of ours is queued */
  uint8_t window_blocked;      /* DATA waits for stream window */
  void *user_data;
  h2e_http_body body; /* RFC 9113 §8.1.1: the DATA still allowed */

  int64_t send_window; /* RFC 9113 §6.9.1, may be negative (§6.9.2) */
  h2e_flow_recv recv;
  uint64_t unconsumed; /* DATA delivered, not yet given back */

  /* Outbound: DATA entries (pool index + 1), the position in the header
   * FIFO after our last block, trailers held until the DATA is out. */
  uint32_t data_head;
  uint32_t data_tail;
  uint64_t blocks_end;
  uint64_t block_start;    /* where its last block starts */
  uint8_t block_alone;     /* that block is its only one not staged */
  uint8_t block_stateless; /* and it left the HPACK encoder unchanged */
  uint32_t held;           /* held header block, offset + 1 in the held area */

  h2e_sched_node sched;   /* DATA ready to go */
  h2e_link update_link;   /* WINDOW_UPDATE due */
  h2e_link window_link;   /* H2E_EV_WINDOW_OPEN to raise */
  h2e_link trailers_link; /* held block ready to encode */
} h2e_stream;

/* ---- the table ---------------------------------------------------------- */

typedef struct h2e_closed_stream {
  uint32_t id;
  uint8_t state; /* one of the closed h2e_sstate values */
} h2e_closed_stream;

typedef struct h2e_stream_table {
  h2e_slab slots;
  uint32_t *buckets; /* slot + 1, open addressing, linear probing; NULL
                        while no stream is live and since given back */
  uint32_t mask;
  uint32_t count;
  /* The stream created last: the frames and submits that follow a new
   * stream's HEADERS are mostly about it, so they skip the hash. */
  h2e_stream *newest;
  h2e_closed_stream *closed; /* ring of the most recently closed */
  uint32_t closed_room;      /* its size, doubled as needed */
  uint32_t closed_cap;       /* up to this */
  uint32_t closed_next;
  uint32_t closed_count;
} h2e_stream_table;

/* Room for `capacity` live streams and memory of `closed_capacity`
 * closed ones; allocates nothing until the first stream. */
int h2e_stream_table_init(h2e_stream_table *table, uint32_t capacity,
                          uint32_t closed_capacity);
void h2e_stream_table_free(h2e_stream_table *table,
                           const h2e_allocator *allocator);
/* With no stream live: whether the hash or slots are held, and giving
 * them back (the next create takes them again). */
int h2e_stream_table_unused(const h2e_stream_table *table);
void h2e_stream_table_release(h2e_stream_table *table,
                              const h2e_allocator *allocator);
size_t h2e_stream_table_memsize_max(uint32_t capacity,
                                    uint32_t closed_capacity);

h2e_stream *h2e_stream_find(const h2e_stream_table *table, uint32_t id);

/* A new stream in the idle state, or NULL with *err set to
 * H2E_ERR_WOULDBLOCK (table full) or H2E_ERR_NOMEM. */
h2e_stream *h2e_stream_create(h2e_stream_table *table,
                              const h2e_allocator *allocator, uint32_t id,
                              int *err);

/* Forgets a live stream, remembering that it closed in `closed_state`
 * (the result of h2e_stream_remember_closed). */
int h2e_stream_destroy(h2e_stream_table *table, const h2e_allocator *allocator,
                       h2e_stream *stream, h2e_sstate closed_state);

/* Remembers a stream that never had a slot (refused, ignored). When the
 * ring is full and cannot grow, the oldest is forgotten; H2E_ERR_NOMEM
 * when the first ring cannot be taken and nothing is remembered. */
int h2e_stream_remember_closed(h2e_stream_table *table,
                               const h2e_allocator *allocator, uint32_t id,
                               h2e_sstate closed_state);

/* How a forgotten stream closed: H2E_SS_CLOSED_UNKNOWN if not recorded. */
h2e_sstate h2e_stream_closed_state(const h2e_stream_table *table, uint32_t id);

/* The live stream in slot index (index < table->slots.grown), or NULL. */
h2e_stream *h2e_stream_at(const h2e_stream_table *table, uint32_t index);

#endif
