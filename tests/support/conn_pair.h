/* A client h2e_conn and a server h2e_conn wired to each other in memory,
 * for end-to-end tests. pair_pump moves output both ways until neither
 * side has anything to say; events are pulled as they come and recorded
 * (strings copied), DATA is collected per stream and given back with
 * h2e_consume unless the side uses auto_consume. */
#ifndef H2E_TEST_CONN_PAIR_H
#define H2E_TEST_CONN_PAIR_H

#include "h2e.h"

#define PAIR_LOG_MAX     4096
#define PAIR_STREAMS_MAX 64

typedef struct pair_event {
  h2e_event_type type;
  uint32_t stream_id;
  h2e_headers_kind kind;
  uint8_t end_stream;
  size_t count;               /* header fields */
  char name0[32], value0[64]; /* first field */
  char status[8];             /* :status, if any */
  size_t data_len;
  uint32_t code;
  uint8_t by_peer, retryable;
  uint64_t cookie;
  uint64_t rtt_ms;
  uint32_t last_stream_id;
  uint32_t promised;
} pair_event;

typedef struct pair_side {
  h2e_conn *conn;
  pair_event log[PAIR_LOG_MAX];
  size_t nlog;
  uint8_t *body[PAIR_STREAMS_MAX]; /* by stream id (< PAIR_STREAMS_MAX) */
  size_t body_len[PAIR_STREAMS_MAX];
  size_t body_cap[PAIR_STREAMS_MAX];
  int keep_log;   /* record events (else count only) */
  int no_consume; /* leave DATA unconsumed */
  size_t events_seen;
  uint64_t wire_bytes; /* octets this side wrote */
} pair_side;

typedef struct pair {
  pair_side client, server;
  uint64_t now_ms;
} pair;

/* Both ends with these configs (NULL: the role's defaults) and libc
 * memory. The handshake is not run yet. */
pair *pair_new(const h2e_config *client, const h2e_config *server);
/* The same with an allocator for each end (NULL: libc). */
pair *pair_new_with(const h2e_config *client, const h2e_config *server,
                    const h2e_allocator *client_allocator,
                    const h2e_allocator *server_allocator);
void pair_free(pair *p);

/* Moves bytes both ways until both sides are quiet. Returns the number of
 * rounds it took. */
int pair_pump(pair *p);
/* One side's output into the other (all of it, once); returns octets. */
size_t pair_transfer(pair *p, pair_side *from, pair_side *to);
/* Pulls and records the side's events. */
void pair_pull(pair_side *side);

/* The i-th recorded event of a type on a stream (stream 0 = any); NULL
 * when there is none. */
const pair_event *pair_find(const pair_side *side, h2e_event_type type,
                            uint32_t stream_id, size_t nth);
size_t pair_count(const pair_side *side, h2e_event_type type,
                  uint32_t stream_id);
void pair_clear_log(pair_side *side);

/* A field from two string literals. */
#define PAIR_FIELD(name, value)                                                \
  {                                                                            \
    (const uint8_t *)(name), (const uint8_t *)(value), sizeof(name) - 1,       \
        sizeof(value) - 1, 0                                                   \
  }

extern const h2e_field pair_get_request[4];
extern const h2e_field pair_post_request[4];
extern const h2e_field pair_ok_response[2];

#endif
