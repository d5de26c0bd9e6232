/* h2e — a sans-I/O pool of client HTTP/2 connections.
 *
 * The pool decides which connection carries which request; the caller
 * does every piece of I/O. Like the engine it owns no socket, clock,
 * thread or global: one h2e_pool is a caller-owned struct, time is an
 * argument, and all its memory is taken once, at h2e_pool_new, from the
 * caller's allocator (h2e_pool_memsize tells how much).
 *
 *   requests in   h2e_pool_checkout(pool, &key, user_data, now) -> id
 *   actions out   h2e_pool_next_action(pool, &action) until it returns 0:
 *                 CONNECT, SUBMIT, HTTP1, FAIL, CLOSE
 *   facts in      h2e_pool_connected, h2e_pool_connect_failed,
 *                 h2e_pool_submitted, h2e_pool_request_done,
 *                 h2e_pool_request_refused, h2e_pool_goaway,
 *                 h2e_pool_stream_limit, h2e_pool_conn_dead,
 *                 h2e_pool_tunnel -- or, for a real h2e_conn,
 *                 h2e_pool_conn_event, which reads them off its events
 *   time          h2e_pool_deadline(pool) -> when to call h2e_pool_tick
 *
 * Keys. A connection serves one key: scheme, host, port and a digest the
 * caller computes over everything else that makes two connections
 * different (TLS trust store, client certificate, proxy). Keys compare
 * octet for octet: requests whose digests differ never share a
 * connection, and the caller lower-cases host names.
 *
 * Connections. The pool names each connection with an id and tells the
 * caller to open it (CONNECT); the caller reports the outcome and
 * attaches whatever it drives the connection with (an h2e_conn, a
 * socket) as the connection's user data. A connection is connecting,
 * then ready: active while it carries a stream, idle when it carries
 * none. GOAWAY makes it draining: no new streams, and it leaves once its
 * streams finish. Every connection announced by CONNECT ends with
 * exactly one CLOSE action, whatever ended it (the caller's report
 * included), so the caller frees its resources in one place.
 *
 * Requests. A checkout is answered with actions: SUBMIT (open a stream
 * for it on that connection), HTTP1 (the key does not speak HTTP/2:
 * send it over HTTP/1.1) or FAIL. After SUBMIT the request is in flight
 * until the caller reports it done (or refused, or its connection dead).
 * Every request ends with exactly one of: h2e_pool_request_done by the
 * caller, an HTTP1 action, a FAIL action, or -- for the outer stream of
 * a tunnel -- the CLOSE action of the tunnel, which names it. A request
 * the peer refused (REFUSED_STREAM, or above a GOAWAY's last stream id)
 * is retried once, on another connection, before it fails.
 *
 * Ids. Connection and request ids are positive and never 0. An id stays
 * valid until the action that ends its object is pulled (CLOSE, HTTP1,
 * FAIL) or the caller's done report; after that the pool rejects it
 * (H2E_ERR_INVALID_ARG) until its slot has been reused 32768 times.
 *
 * Costs. A call walks at most the key table, the connection table and
 * one key's queue against that key's connections; most are O(1).
 * h2e_pool_get_stats walks every table. Nothing allocates after
 * h2e_pool_new.
 *
 * A caller's loop, in short:
 *
 *   int32_t id = h2e_pool_checkout(pool, &key, my_request, now);
 *   if (id == H2E_ERR_NOT_HTTP2) -> send it with the HTTP/1.1 stack
 *   while (h2e_pool_next_action(pool, &a) == 1) switch (a.type) {
 *   case H2E_POOL_CONNECT: start a connect to *a.key for a.conn
 *   case H2E_POOL_SUBMIT:  s = h2e_submit_request(a.conn_user_data, ...);
 *                          h2e_pool_submitted(pool, a.request, s, now)
 *   case H2E_POOL_HTTP1:   send a.request_user_data over HTTP/1.1
 *   case H2E_POOL_FAIL:    fail a.request_user_data (a.reason)
 *   case H2E_POOL_CLOSE:   end a.outer_request's stream if any; close
 *                          and free a.conn_user_data
 *   }
 *   on connect done:   h2e_pool_connected(pool, conn, proto, limit, now)
 *   on engine events:  h2e_pool_conn_event(pool, conn, engine, &ev, now)
 *   on timer:          h2e_pool_tick(pool, now) at h2e_pool_deadline
 */
#ifndef H2E_POOL_H
#define H2E_POOL_H

#include "h2e.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h2e_pool h2e_pool;

/* ---- configuration ---------------------------------------------------- */

enum {
  H2E_POOL_SCHEME_MAX = 16, /* octets of a key's scheme */
  H2E_POOL_HOST_MAX = 255,  /* octets of a key's host (a DNS name's limit) */
  H2E_POOL_DIGEST_MAX = 32  /* octets of a key's digest (a SHA-256 fits) */
};

typedef struct h2e_pool_config {
  uint32_t max_connections; /* in any state, default 64, 1 .. 65535 */
  /* Requests the pool holds at once, queued or in flight: default 1024,
   * 1 .. 65535. */
  uint32_t max_requests;
  /* Requests that may wait for a connection or a free stream, per key:
   * default 256. A checkout beyond it is H2E_ERR_WOULDBLOCK (with 0,
   * every checkout that finds no free stream is). */
  uint32_t max_queued_per_key;
  /* Keys known at once (those with connections or waiting requests, and
   * the protocol negotiation cache): default 64, 1 .. 65535. */
  uint32_t max_keys;
  /* Idle connections kept; beyond it the least recently used leaves.
   * Default 16; 0 closes a connection as soon as it goes idle. */
  uint32_t max_idle;
  /* An idle connection leaves after this long, default 240000 ms; 0
   * keeps idle connections until max_idle pushes them out. */
  uint64_t idle_timeout_ms;
  /* How long a key whose server did not select "h2" by ALPN is answered
   * "not HTTP/2" without another handshake: default 600000 ms; 0 turns
   * the negotiation cache off. */
  uint64_t not_http2_ttl_ms;
} h2e_pool_config;

/* Fills *config with the defaults above. */
H2E_API void h2e_pool_config_init(h2e_pool_config *config);

/* The memory h2e_pool_new takes with this config (all of it, once), or 0
 * when the config is out of range. */
H2E_API size_t h2e_pool_memsize(const h2e_pool_config *config);

/* ---- life cycle ------------------------------------------------------- */

/* NULL when the allocator fails or the config is out of range. */
H2E_API h2e_pool *h2e_pool_new(const h2e_pool_config *config,
                               const h2e_allocator *allocator);
/* Frees the pool. The caller's connections are its own to close. */
H2E_API void h2e_pool_free(h2e_pool *pool);

/* ---- requests in ------------------------------------------------------ */

typedef struct h2e_pool_key {
  const char *scheme; /* "https", "http" */
  size_t scheme_len;
  const char *host; /* lower case */
  size_t host_len;
  uint16_t port;
  /* The caller's digest of its TLS trust, client certificate and proxy
   * settings; NULL/0 when there are none. */
  const uint8_t *digest;
  size_t digest_len;
} h2e_pool_key;

/* Asks for a stream to the key for one request. Returns the request id
 * (> 0) and answers it with actions: SUBMIT at once when a ready
 * connection has a free stream under the peer's MAX_CONCURRENT_STREAMS;
 * otherwise the request waits in the key's queue, and when the key has no
 * connect in flight the pool announces one (CONNECT) -- at most one per
 * key at a time, and only when every connection of the key is full,
 * draining, or unusable for the request. Negative codes:
 *   H2E_ERR_NOT_HTTP2   the negotiation cache says the key speaks
 *                       HTTP/1.1 (no request was made: send it there)
 *   H2E_ERR_WOULDBLOCK  the key's queue, the request table or the key
 *                       table is full (nothing was made; retry after
 *                       requests finish)
 *   H2E_ERR_INVALID_ARG the key is empty or its parts are too long. */
H2E_API int32_t h2e_pool_checkout(h2e_pool *pool, const h2e_pool_key *key,
                                  void *user_data, uint64_t now_ms);

/* ---- actions out ------------------------------------------------------ */

typedef enum h2e_pool_action_type {
  H2E_POOL_NONE = 0,
  /* Open connection `conn` to `key` and report h2e_pool_connected (with
   * what ALPN selected) or h2e_pool_connect_failed. */
  H2E_POOL_CONNECT,
  /* Open a stream for `request` on `conn` (h2e_submit_request) and
   * report the result with h2e_pool_submitted. A stream of `conn` is
   * counted for it from now on. `retry` is 1 for the second and last
   * attempt of a request refused once. */
  H2E_POOL_SUBMIT,
  /* `request` leaves the pool: its key speaks HTTP/1.1 (ALPN selected
   * "http/1.1" or nothing); send it over HTTP/1.1. */
  H2E_POOL_HTTP1,
  /* `request` leaves the pool unserved, for `reason`. */
  H2E_POOL_FAIL,
  /* Close `conn` and free what drives it (`reason` says why). When the
   * connection was a tunnel, `outer_request` (else 0) is the CONNECT
   * stream that carried it, on connection `outer_conn`: end that stream
   * (h2e_submit_rst_stream CANCEL, or END_STREAM); the pool has already
   * counted it finished. It always comes before the outer connection's
   * own CLOSE. */
  H2E_POOL_CLOSE
} h2e_pool_action_type;

typedef enum h2e_pool_reason {
  H2E_POOL_REASON_NONE = 0,
  H2E_POOL_IDLE_TIMEOUT,  /* CLOSE: idle for idle_timeout_ms */
  H2E_POOL_IDLE_LIMIT,    /* CLOSE: least recently used beyond max_idle,
                             or room made for another key's connect */
  H2E_POOL_DRAINED,       /* CLOSE: GOAWAY received (or the engine took
                             no more streams) and streams finished */
  H2E_POOL_CONN_DEAD,     /* CLOSE: reported dead; FAIL: was in flight on
                             a connection that died */
  H2E_POOL_CONNECT_ERROR, /* CLOSE: the connect failed; FAIL: was waiting
                             for it and the key has no other connection */
  H2E_POOL_NOT_HTTP2,     /* CLOSE: ALPN did not select h2 (the transport
                             may go to the HTTP/1.1 stack instead) */
  H2E_POOL_TUNNEL_LOST,   /* CLOSE: the outer stream carrying the tunnel
                             ended */
  H2E_POOL_REFUSED        /* FAIL: refused again after its one retry */
} h2e_pool_reason;

typedef struct h2e_pool_action {
  h2e_pool_action_type type;
  h2e_pool_reason reason;  /* FAIL, CLOSE */
  uint32_t conn;           /* CONNECT, SUBMIT, CLOSE */
  uint32_t request;        /* SUBMIT, HTTP1, FAIL */
  void *conn_user_data;    /* SUBMIT, CLOSE: set by the caller */
  void *request_user_data; /* SUBMIT, HTTP1, FAIL: given at checkout */
  /* CONNECT, HTTP1: the key (the pool's copy, valid until the next call
   * into the pool). */
  const h2e_pool_key *key;
  uint8_t retry;                 /* SUBMIT */
  uint32_t outer_request;        /* CLOSE of a tunnel, else 0 */
  uint32_t outer_conn;           /* CLOSE of a tunnel, else 0 */
  void *outer_request_user_data; /* CLOSE of a tunnel */
  void *outer_conn_user_data;    /* CLOSE of a tunnel */
} h2e_pool_action;

/* Pulls the next action, in the order they arose. Returns 1 with *action
 * filled, or 0 when none is waiting. An action is not final until it is
 * pulled: a SUBMIT whose connection fails before the caller pulls it is
 * taken back and the request waits again. */
H2E_API int h2e_pool_next_action(h2e_pool *pool, h2e_pool_action *action);

/* ---- facts about connections ------------------------------------------ */

/* Every fact returns H2E_OK, or H2E_ERR_INVALID_ARG for an id the pool
 * does not know (or no longer: its ending action was pulled) and for a
 * fact its state does not take (connected twice, GOAWAY before
 * connected, a refusal of a request not in flight). Facts about a
 * connection whose CLOSE waits to be pulled are ignored, as are a stream
 * limit before h2e_pool_connected (which carries one) and a GOAWAY or
 * limit after a GOAWAY. */

typedef enum h2e_pool_protocol {
  H2E_POOL_PROTO_HTTP2 = 0, /* ALPN selected "h2" (or prior knowledge) */
  H2E_POOL_PROTO_HTTP1 = 1  /* ALPN selected "http/1.1" or nothing */
} h2e_pool_protocol;

/* The connect of `conn` finished. HTTP2: the connection is ready with
 * room for stream_limit streams (the peer's MAX_CONCURRENT_STREAMS as far
 * as known: before its SETTINGS arrive, an assumption such as 100, RFC
 * 9113 §6.5.2; correct it with h2e_pool_stream_limit) and the key's
 * queue is served. HTTP1: the key goes into the negotiation cache for
 * not_http2_ttl_ms, every request waiting for it gets an HTTP1 action,
 * and the connection gets CLOSE (reason NOT_HTTP2). The cache answers for
 * the whole key, even while older HTTP/2 connections of it finish their
 * streams. */
H2E_API int h2e_pool_connected(h2e_pool *pool, uint32_t conn,
                               h2e_pool_protocol protocol,
                               uint32_t stream_limit, uint64_t now_ms);

/* The connect of `conn` failed (CLOSE, CONNECT_ERROR). Requests waiting
 * for the key fail with it when the key has no other connection (they
 * would wait for nothing); otherwise they keep waiting for a stream of
 * the others, and the key connects again only for a new checkout (no
 * reconnect loop against a server that is down). */
H2E_API int h2e_pool_connect_failed(h2e_pool *pool, uint32_t conn,
                                    uint64_t now_ms);

/* The peer's MAX_CONCURRENT_STREAMS changed (H2E_EV_SETTINGS). Streams
 * in flight are not touched when it shrinks; a larger limit serves
 * waiting requests at once. */
H2E_API int h2e_pool_stream_limit(h2e_pool *pool, uint32_t conn,
                                  uint32_t stream_limit, uint64_t now_ms);

/* The peer sent GOAWAY (H2E_EV_GOAWAY): the connection takes no new
 * stream and gets CLOSE (DRAINED) when its streams finish. The streams it
 * refused (above its last stream id) are reported one by one with
 * h2e_pool_request_refused; the engine raises a retryable
 * H2E_EV_STREAM_RESET for each (RFC 9113 §6.8, §8.7). */
H2E_API int h2e_pool_goaway(h2e_pool *pool, uint32_t conn, uint64_t now_ms);

/* The connection is gone (H2E_EV_CONN_ERROR, transport closed or broken).
 * Only its own in-flight requests fail (FAIL, CONN_DEAD); requests of
 * the key waiting in the queue are served by the other connections or a
 * new connect. A tunnel carried by one of its streams dies with it. A
 * connection that dies before it is connected is a failed connect
 * (h2e_pool_connect_failed). */
H2E_API int h2e_pool_conn_dead(h2e_pool *pool, uint32_t conn, uint64_t now_ms);

/* `conn` (connecting or ready) is a tunnel: its transport is the stream
 * of in-flight request `outer_request` on another pooled connection (a
 * CONNECT through an HTTP/2 proxy). The outer stream stays counted, so
 * the outer connection stays active, for as long as the inner connection
 * lives; when the inner connection leaves (idle eviction included) its
 * CLOSE names the outer stream and the pool counts that stream finished,
 * so the outer connection can go idle in its turn. When the outer stream
 * ends first (done, reset or its connection dead), the inner connection
 * dies (CLOSE, TUNNEL_LOST) and only its in-flight requests fail. */
H2E_API int h2e_pool_tunnel(h2e_pool *pool, uint32_t conn,
                            uint32_t outer_request, uint64_t now_ms);

/* The caller's pointer for a connection (the h2e_conn, a socket...),
 * handed back in SUBMIT and CLOSE actions. */
H2E_API int h2e_pool_conn_set_user_data(h2e_pool *pool, uint32_t conn,
                                        void *user_data);
H2E_API void *h2e_pool_conn_get_user_data(const h2e_pool *pool, uint32_t conn);

/* ---- facts about requests --------------------------------------------- */

/* What h2e_submit_request returned for a SUBMIT: the stream id (> 0),
 * kept for h2e_pool_conn_event, or a failure. The request then waits
 * again (its retry is not used up) and the connection takes no more:
 * H2E_ERR_STREAM_LIMIT lowers its stream limit to the streams it
 * carries; any other code (H2E_ERR_CONN_CLOSED,
 * H2E_ERR_STREAM_IDS_EXHAUSTED) makes it draining. H2E_ERR_WOULDBLOCK is
 * not a failure to report: submit again once output has drained. */
H2E_API int h2e_pool_submitted(h2e_pool *pool, uint32_t request, int32_t result,
                               uint64_t now_ms);

/* The request is over for the pool (H2E_EV_STREAM_CLOSED, a reset that
 * is not retryable, or the caller gave up): its stream is free again and
 * its id ends. A waiting request is simply removed (a cancel). */
H2E_API int h2e_pool_request_done(h2e_pool *pool, uint32_t request,
                                  uint64_t now_ms);

/* The peer refused the request before processing it: REFUSED_STREAM, or
 * a stream id above a GOAWAY's last stream id (H2E_EV_STREAM_RESET with
 * retryable set; RFC 9113 §8.7). The first time, the request waits again
 * and goes to another connection than this one (a new one if need be);
 * the second time it fails (FAIL, REFUSED). */
H2E_API int h2e_pool_request_refused(h2e_pool *pool, uint32_t request,
                                     uint64_t now_ms);

/* ---- glue for h2e_conn ------------------------------------------------ */

/* Reports the pool facts an event of `engine`, the h2e_conn driving pool
 * connection `conn`, carries: SETTINGS (h2e_pool_stream_limit with the
 * peer's MAX_CONCURRENT_STREAMS), GOAWAY (h2e_pool_goaway), STREAM_RESET
 * (h2e_pool_request_refused when retryable, else h2e_pool_request_done),
 * STREAM_CLOSED (h2e_pool_request_done) and CONN_ERROR
 * (h2e_pool_conn_dead). Streams are matched to requests by the ids given
 * to h2e_pool_submitted. Other events, and streams the pool does not
 * know, are ignored. The caller still handles the event itself, and must
 * not report those facts a second time. Returns 0 or a negative code. */
H2E_API int h2e_pool_conn_event(h2e_pool *pool, uint32_t conn,
                                const h2e_conn *engine, const h2e_event *ev,
                                uint64_t now_ms);

/* ---- time ------------------------------------------------------------- */

/* The next time h2e_pool_tick must run (an idle connection's timeout or a
 * negotiation cache entry's expiry), or UINT64_MAX. */
H2E_API uint64_t h2e_pool_deadline(const h2e_pool *pool);
/* Closes the idle connections whose timeout has passed (least recently
 * used first) and forgets expired negotiation cache entries. */
H2E_API void h2e_pool_tick(h2e_pool *pool, uint64_t now_ms);

/* ---- state ------------------------------------------------------------ */

typedef enum h2e_pool_conn_state {
  H2E_POOL_CONN_UNKNOWN = 0, /* no such connection (or its id ended) */
  H2E_POOL_CONN_CONNECTING,
  H2E_POOL_CONN_ACTIVE,   /* ready, carrying streams */
  H2E_POOL_CONN_IDLE,     /* ready, no stream */
  H2E_POOL_CONN_DRAINING, /* GOAWAY received, streams finishing */
  H2E_POOL_CONN_CLOSING   /* its CLOSE action waits to be pulled */
} h2e_pool_conn_state;

typedef struct h2e_pool_conn_info {
  h2e_pool_conn_state state;
  uint32_t streams;      /* streams counted on it (SUBMIT to done) */
  uint32_t stream_limit; /* the peer's limit as reported */
  uint64_t last_used_ms; /* when it last went idle */
} h2e_pool_conn_info;

/* Fills *info; state UNKNOWN for an unknown id. */
H2E_API void h2e_pool_conn_get_info(const h2e_pool *pool, uint32_t conn,
                                    h2e_pool_conn_info *info);

typedef struct h2e_pool_stats {
  uint32_t connections; /* in any state */
  uint32_t connecting, active, idle, draining;
  uint32_t queued;          /* requests waiting */
  uint32_t in_flight;       /* requests with a SUBMIT (pulled or not) */
  uint32_t keys;            /* keys known */
  uint32_t not_http2_keys;  /* keys in the negotiation cache */
  uint32_t actions_pending; /* actions waiting to be pulled */
} h2e_pool_stats;

H2E_API void h2e_pool_get_stats(const h2e_pool *pool, h2e_pool_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* H2E_POOL_H */
