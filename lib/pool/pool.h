/* The connection pool's records and the helpers its files share (see
 * include/h2e_pool.h for the model). Everything lives in three fixed
 * tables taken at h2e_pool_new: keys, connections, requests. Records link
 * into intrusive lists, so nothing allocates afterwards. */
#ifndef H2E_POOL_INTERNAL_H
#define H2E_POOL_INTERNAL_H

#include "h2e_pool.h"

#include "../list.h"

/* A pending action, embedded in the connection or request it is about:
 * each holds at most one at a time, so the action list needs no memory
 * of its own. */
typedef struct pool_pending {
  h2e_link link; /* pool->actions */
  uint8_t type;  /* h2e_pool_action_type, NONE when not linked */
  uint8_t is_conn;
} pool_pending;

typedef struct pool_origin {
  h2e_link link;     /* pool->free_origins while unused */
  h2e_link queue;    /* waiting requests, oldest first */
  h2e_link conns;    /* its connections, oldest first */
  h2e_link neg_link; /* pool->not_http2 while cached, oldest first */
  h2e_pool_key key;  /* points into the arrays below */
  uint64_t hash;
  uint64_t not_http2_until;
  uint32_t queued;   /* requests in the queue */
  uint32_t requests; /* requests of the key in any state */
  uint32_t nconns;
  uint32_t connecting;
  uint8_t in_use;
  uint8_t starving;     /* wanted a connect when no slot was free */
  uint8_t connect_held; /* a connect failed: none until a new request */
  char scheme[H2E_POOL_SCHEME_MAX];
  char host[H2E_POOL_HOST_MAX];
  uint8_t digest[H2E_POOL_DIGEST_MAX];
} pool_origin;

typedef enum pool_conn_state {
  CONN_FREE = 0,
  CONN_CONNECTING,
  CONN_READY,
  CONN_DRAINING,
  CONN_CLOSING, /* CLOSE pending; the slot is freed when it is pulled */
  CONN_STATES
} pool_conn_state;

struct pool_request;

typedef struct pool_conn {
  h2e_link link;      /* origin->conns, or pool->free_conns */
  h2e_link idle_link; /* pool->idle, least recently used first */
  h2e_link requests;  /* its requests, SUBMIT raised or in flight */
  pool_pending pending;
  pool_origin *origin;
  struct pool_request *outer; /* tunnel: the stream carrying it */
  void *user_data;
  uint64_t last_used;
  uint32_t streams;
  uint32_t stream_limit;
  uint16_t generation;
  uint8_t state; /* pool_conn_state */
  uint8_t close_reason;
  /* CLOSE of a tunnel: the outer stream, already counted finished. */
  uint32_t closed_outer_request, closed_outer_conn;
  void *closed_outer_request_user, *closed_outer_conn_user;
} pool_conn;

typedef enum pool_request_state {
  REQ_FREE = 0,
  REQ_QUEUED,
  REQ_SUBMITTING, /* SUBMIT pending: not yet the caller's */
  REQ_IN_FLIGHT,
  REQ_ENDING /* HTTP1 or FAIL pending; freed when pulled */
} pool_request_state;

typedef struct pool_request {
  h2e_link link; /* origin->queue, conn->requests, or pool->free_requests */
  pool_pending pending;
  pool_origin *origin;
  pool_conn *conn;   /* SUBMITTING, IN_FLIGHT */
  pool_conn *tunnel; /* the inner connection its stream carries */
  void *user_data;
  uint32_t avoid_conn; /* retry: the connection that refused it */
  uint32_t stream_id;
  uint16_t generation;
  uint8_t state; /* pool_request_state */
  uint8_t retried;
  uint8_t fail_reason;
} pool_request;

struct h2e_pool {
  h2e_pool_config config;
  h2e_allocator allocator;
  size_t memsize;
  pool_origin *origins;
  pool_conn *conns;
  pool_request *requests;
  h2e_link free_origins, free_conns, free_requests;
  h2e_link idle;      /* idle connections, least recently used first */
  h2e_link not_http2; /* cached keys, earliest expiry first */
  h2e_link actions;   /* pending actions, oldest first */
  uint64_t now_ms;    /* the latest time the caller gave */
  uint32_t idle_count;
  uint32_t starving; /* keys waiting for a connection slot */
};

/* pool_ids.c: generation (15 bits) above slot + 1 (16 bits), never 0. */
pool_conn *pool_conn_lookup(const h2e_pool *pool, uint32_t id);
pool_request *pool_request_lookup(const h2e_pool *pool, uint32_t id);
uint32_t pool_conn_id(const h2e_pool *pool, const pool_conn *conn);
uint32_t pool_request_id(const h2e_pool *pool, const pool_request *request);

/* pool_key.c: keys, and the negotiation cache. */
int pool_key_valid(const h2e_pool_key *key);
pool_origin *pool_origin_get(h2e_pool *pool, const h2e_pool_key *key);
void pool_origin_release_if_unused(h2e_pool *pool, pool_origin *origin);
void pool_origin_mark_not_http2(h2e_pool *pool, pool_origin *origin,
                                uint64_t now_ms);
void pool_not_http2_expire(h2e_pool *pool, uint64_t now_ms);

/* pool_action.c */
void pool_raise(h2e_pool *pool, pool_pending *pending, int type);
void pool_withdraw(pool_pending *pending);

/* pool_dispatch.c: gives waiting requests streams or connects. */
void pool_dispatch(h2e_pool *pool, pool_origin *origin, uint64_t now_ms);
void pool_dispatch_starving(h2e_pool *pool, uint64_t now_ms);
void pool_request_queue(pool_request *request, int at_front);
void pool_request_unqueue(h2e_pool *pool, pool_request *request);
void pool_request_end(h2e_pool *pool, pool_request *request, int type,
                      h2e_pool_reason reason);

/* pool_conn.c: connection life. */
pool_conn *pool_conn_open(h2e_pool *pool, pool_origin *origin);
void pool_conn_close(h2e_pool *pool, pool_conn *conn, h2e_pool_reason reason,
                     uint64_t now_ms);
void pool_conn_free(h2e_pool *pool, pool_conn *conn);
void pool_conn_stream_ended(h2e_pool *pool, pool_conn *conn, uint64_t now_ms);
void pool_conn_drain(h2e_pool *pool, pool_conn *conn, uint64_t now_ms);
void pool_conn_settle(h2e_pool *pool, pool_conn *conn, uint64_t now_ms);
void pool_conn_activate(h2e_pool *pool, pool_conn *conn);
void pool_clock(h2e_pool *pool, uint64_t now_ms);
int pool_conn_has_room(const pool_conn *conn);
void pool_idle_evict_lru(h2e_pool *pool, h2e_pool_reason reason,
                         uint64_t now_ms);

/* pool_request.c */
void pool_request_free(h2e_pool *pool, pool_request *request);
void pool_request_finish(h2e_pool *pool, pool_request *request,
                         uint64_t now_ms);

#endif
