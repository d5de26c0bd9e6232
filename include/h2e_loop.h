/* h2e — adapters that run h2e connections over sockets.
 *
 * The engine (h2e.h) never touches a socket; this separate library
 * (h2e_loop, linking h2e and, when built with it, OpenSSL) does:
 *
 *   h2e_loop_conn   one connection on a connected, non-blocking fd: a read
 *                   buffer, writev/sendfile of the engine's output, TLS as
 *                   one more transport, timers from the engine's deadline.
 *                   Driven by any loop (libuv, your own poll): say which
 *                   readiness the fd reported, pull events when told, ask
 *                   what to wait for next.
 *   h2e_loop        a small loop of its own (epoll on Linux, kqueue on BSD
 *                   and macOS) that drives connections and listeners and
 *                   tells the application when a connection has events.
 *
 * Events stay pulled: the adapter only says "this connection may have
 * events" and the application pulls them with h2e_conn_next_event. No
 * threads, no globals: a multi-core server runs one h2e_loop per thread,
 * each on its own SO_REUSEPORT listener, sharing nothing.
 *
 * Writes go to sockets with writev and sendfile: ignore SIGPIPE in the
 * process (signal(SIGPIPE, SIG_IGN)); a peer that went away is then an
 * H2E_LOOP_ERR_IO ending its connection.
 *
 * Backpressure: the adapter reads only while the engine wants input
 * (h2e_conn_want), so a peer that does not read our output is not read
 * either, and memory stays at the engine's bound plus one read buffer.
 * An idle connection (no input held back) holds no read buffer, and a TLS
 * one none of OpenSSL's record buffers.
 */
#ifndef H2E_LOOP_H
#define H2E_LOOP_H

#include "h2e.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct h2e_loop_conn h2e_loop_conn;
struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

/* Adapter result codes, beside the engine's H2E_ERR_*. */
enum {
  H2E_LOOP_ERR_IO = -100,     /* a system call failed (h2e_loop_conn_errno) */
  H2E_LOOP_ERR_EOF = -101,    /* the peer closed before the connection ended */
  H2E_LOOP_ERR_TLS = -102,    /* TLS handshake or record failure (detail) */
  H2E_LOOP_ERR_ALPN = -103,   /* TLS did not negotiate "h2" (RFC 9113 §3.2) */
  H2E_LOOP_ERR_NO_TLS = -104, /* TLS asked for, built without OpenSSL */
  /* The TLS handshake took longer than the config's settings_timeout_ms */
  H2E_LOOP_ERR_TIMEOUT = -105
};

/* ---- one connection: the user-loop adapter ---------------------------- */

typedef struct h2e_loop_conn_options {
  const h2e_config *config;       /* the engine's, with its role */
  const h2e_allocator *allocator; /* NULL: malloc */
  /* default 32768; taken for a read and given back once the engine has
   * taken every octet of it: an idle connection holds none. */
  size_t read_buffer_size;
  /* TLS: an SSL_CTX set up by h2e_loop_tls_*_ctx (or one of yours that
   * went through h2e_loop_tls_alpn). NULL: cleartext h2c. */
  struct ssl_ctx_st *tls;
  const char *server_name; /* client: SNI and the name to verify */
  /* Server, cleartext: a connection that opens with an HTTP/1.1 request
   * asking for "Upgrade: h2c" with valid HTTP2-Settings and no body is
   * switched (RFC 7540 §3.2): 101, then the request is stream 1 (an
   * H2E_EV_HEADERS waits for it) and h2e_loop_conn_protocol says
   * "h2c-upgrade". Any other HTTP/1.1 request is answered 505 (400 when
   * malformed) and the connection ends with H2E_ERR_NOT_HTTP2. config
   * must outlive the connection. 0 (default): HTTP/1.1 ends the
   * connection at once with H2E_ERR_NOT_HTTP2. */
  int h2c_upgrade;
  /* A debugging aid, optional: called with every octet read from the
   * peer (received 1) and written to it (received 0), in order, in
   * clear (inside TLS). File regions written with sendfile come as data
   * NULL. h2e-get -v prints frames from it. */
  void (*trace)(void *trace_arg, int received, const uint8_t *data, size_t len);
  void *trace_arg;
} h2e_loop_conn_options;

/* Takes fd (connected, set non-blocking here) and creates its engine with
 * the role in options->config. NULL when memory or the TLS state fails;
 * fd then stays the caller's. */
H2E_API h2e_loop_conn *h2e_loop_conn_new(const h2e_loop_conn_options *options,
                                         int fd, uint64_t now_ms);
/* Frees the engine, the TLS state and the buffers, and closes fd. */
H2E_API void h2e_loop_conn_free(h2e_loop_conn *lc);

/* The engine: pull its events, submit requests and responses. */
H2E_API h2e_conn *h2e_loop_conn_engine(const h2e_loop_conn *lc);
H2E_API int h2e_loop_conn_fd(const h2e_loop_conn *lc);

enum {
  H2E_LOOP_IDLE = 0,   /* wait for h2e_loop_conn_interest or the deadline */
  H2E_LOOP_EVENTS = 1, /* pull the engine's events, then call io again */
  H2E_LOOP_DONE = 2    /* over: h2e_loop_conn_error says why (0: clean) */
};

/* Does the I/O the connection can do now. ready is the readiness the fd
 * reported (H2E_WANT_READ | H2E_WANT_WRITE), 0 when called for anything
 * else: after pulling events, after submitting, at the deadline. It writes
 * pending output (writev; sendfile for file regions), feeds at most one
 * read (or the input held back by backpressure) to the engine, and runs
 * the engine's timers when due. The usual round:
 *
 *   while ((r = h2e_loop_conn_io(lc, ready, now)) == H2E_LOOP_EVENTS) {
 *     while (h2e_conn_next_event(h2e_loop_conn_engine(lc), &ev)) ...;
 *     ready = 0;
 *   }
 *
 * Every event must be pulled before the next call: DATA slices point
 * into the read buffer, which that call may reuse or give back. */
H2E_API int h2e_loop_conn_io(h2e_loop_conn *lc, unsigned ready,
                             uint64_t now_ms);

/* The readiness to wait for next (H2E_WANT_READ | H2E_WANT_WRITE), or
 * H2E_CLOSED when the connection is over. No WANT_READ while the engine
 * holds input back (the peer is not reading, events wait). */
H2E_API unsigned h2e_loop_conn_interest(const h2e_loop_conn *lc);
/* When to call h2e_loop_conn_io with no readiness; UINT64_MAX: never. */
H2E_API uint64_t h2e_loop_conn_deadline(const h2e_loop_conn *lc);

/* "h2" after a TLS handshake that chose it, "h2c" in cleartext, NULL
 * while the handshake runs. */
H2E_API const char *h2e_loop_conn_protocol(const h2e_loop_conn *lc);
/* Why the connection ended: 0, an H2E_LOOP_ERR_* or H2E_ERR_* code. */
H2E_API int h2e_loop_conn_error(const h2e_loop_conn *lc);
H2E_API int h2e_loop_conn_errno(const h2e_loop_conn *lc);
/* A static text for TLS failures (the verification result), or NULL. */
H2E_API const char *h2e_loop_conn_error_detail(const h2e_loop_conn *lc);

H2E_API void h2e_loop_conn_set_user_data(h2e_loop_conn *lc, void *user_data);
H2E_API void *h2e_loop_conn_get_user_data(const h2e_loop_conn *lc);

typedef struct h2e_loop_conn_stats {
  uint64_t bytes_read, bytes_written, bytes_sendfile;
  uint64_t reads, writes;
  uint64_t reads_held; /* readable, but not read: the engine held input */
} h2e_loop_conn_stats;
H2E_API void h2e_loop_conn_get_stats(const h2e_loop_conn *lc,
                                     h2e_loop_conn_stats *stats);

/* ---- the loop: epoll (Linux) or kqueue (BSD, macOS) ------------------- */

typedef struct h2e_loop h2e_loop;

typedef struct h2e_loop_handlers {
  /* A listener accepted lc (set its user data here). Optional. */
  void (*accepted)(h2e_loop *loop, h2e_loop_conn *lc);
  /* lc may have events: pull them all, submit what you like. */
  void (*ready)(h2e_loop *loop, h2e_loop_conn *lc);
  /* lc is over (h2e_loop_conn_error says why); freed after this. */
  void (*closed)(h2e_loop *loop, h2e_loop_conn *lc);
} h2e_loop_handlers;

H2E_API h2e_loop *h2e_loop_new(const h2e_loop_handlers *handlers,
                               const h2e_allocator *allocator, void *user_data);
/* Closes and frees every connection (no closed handler) and listener. */
H2E_API void h2e_loop_free(h2e_loop *loop);
H2E_API void *h2e_loop_get_user_data(const h2e_loop *loop);

/* Accepts connections on listen_fd, each created with options (copied;
 * the pointers inside must outlive the loop). With no allocator in the
 * options, the connections take their memory from the loop's allocator
 * through a cache that keeps up to 512 KiB of the large buffers they give
 * back when idle, for the next connection to take: idle connections stay
 * small without a free and a malloc per burst of requests. h2e_loop_free
 * empties it. */
H2E_API int h2e_loop_add_listener(h2e_loop *loop, int listen_fd,
                                  const h2e_loop_conn_options *options);
/* Stops accepting on listen_fd and closes it (connections it accepted
 * stay). H2E_ERR_INVALID_ARG when it is not a listener of this loop. */
H2E_API int h2e_loop_remove_listener(h2e_loop *loop, int listen_fd);
/* Hands a connection (a client's, say) to the loop, which drives it. */
H2E_API int h2e_loop_add(h2e_loop *loop, h2e_loop_conn *lc);
/* Drives lc now: after the application submitted outside a ready
 * handler (never call it from inside one). */
H2E_API void h2e_loop_drive(h2e_loop *loop, h2e_loop_conn *lc);
/* Ends lc at once (closed handler, then freed). */
H2E_API void h2e_loop_close(h2e_loop *loop, h2e_loop_conn *lc);

/* Raw fds beside the connections (an upstream socket of a proxy, a
 * pipe): the loop calls callback(loop, fd, ready, arg) when fd is ready
 * for some of interest (H2E_WANT_READ | H2E_WANT_WRITE; an error or
 * hang-up counts as the readiness asked for). Level-triggered: a callback
 * that leaves the fd ready is called again at the next wait. Watching an
 * fd already watched replaces its interest, callback and arg; interest 0
 * keeps the watch but asks for nothing. The fd stays the caller's: unwatch
 * it before closing it. Callbacks run from h2e_loop_run_once, outside
 * every handler, so they may call h2e_loop_drive, h2e_loop_watch and
 * h2e_loop_unwatch (of any fd, their own included). */
typedef void (*h2e_loop_watch_fn)(h2e_loop *loop, int fd, unsigned ready,
                                  void *arg);
/* 0, H2E_ERR_INVALID_ARG, H2E_ERR_NOMEM or H2E_LOOP_ERR_IO. */
H2E_API int h2e_loop_watch(h2e_loop *loop, int fd, unsigned interest,
                           h2e_loop_watch_fn callback, void *arg);
/* Forgets fd (no callback for it from now on, even for events already
 * gathered this round). H2E_ERR_INVALID_ARG when it is not watched. */
H2E_API int h2e_loop_unwatch(h2e_loop *loop, int fd);

/* Waits up to timeout_ms (-1: until the next deadline or I/O) and handles
 * what is ready. Returns the connections driven, or H2E_LOOP_ERR_IO. */
H2E_API int h2e_loop_run_once(h2e_loop *loop, int timeout_ms);
/* Runs until h2e_loop_stop or until no connection, listener or watch is
 * left. */
H2E_API int h2e_loop_run(h2e_loop *loop);
H2E_API void h2e_loop_stop(h2e_loop *loop);
H2E_API size_t h2e_loop_conn_count(const h2e_loop *loop);

/* ---- sockets ---------------------------------------------------------- */

enum { H2E_LOOP_REUSEPORT = 0x1 };
/* A non-blocking TCP listener on host:port ("127.0.0.1", "::"; port 0
 * picks one, see h2e_loop_local_port). flags: H2E_LOOP_REUSEPORT lets one
 * loop per thread listen on the same port. Returns the fd or
 * H2E_LOOP_ERR_IO. */
H2E_API int h2e_loop_listen_tcp(const char *host, uint16_t port, int flags,
                                int backlog);
/* A TCP connection to host:port, connected (blocking connect), then
 * non-blocking. Returns the fd or H2E_LOOP_ERR_IO. */
H2E_API int h2e_loop_connect_tcp(const char *host, uint16_t port);
H2E_API int h2e_loop_local_port(int fd);

/* ---- TLS (OpenSSL builds) --------------------------------------------- */

/* 1 when the library was built with OpenSSL. */
H2E_API int h2e_loop_tls_available(void);

enum {
  H2E_LOOP_TLS_NO_VERIFY = 0x1 /* client: accept any certificate */
};
/* A server SSL_CTX: TLS 1.2 or later, the certificate chain and key from
 * PEM files, ALPN selecting "h2". NULL on failure or without OpenSSL. */
H2E_API struct ssl_ctx_st *h2e_loop_tls_server_ctx(const char *cert_file,
                                                   const char *key_file);
/* A client SSL_CTX: TLS 1.2 or later, ALPN offering "h2", the peer's
 * certificate verified against ca_file (NULL: the system's trust store)
 * unless flags has H2E_LOOP_TLS_NO_VERIFY. */
H2E_API struct ssl_ctx_st *h2e_loop_tls_client_ctx(const char *ca_file,
                                                   int flags);
/* Sets ALPN on a caller's SSL_CTX: offering "h2" (H2E_CLIENT) or selecting
 * it (H2E_SERVER). 0 or H2E_LOOP_ERR_TLS. */
H2E_API int h2e_loop_tls_alpn(struct ssl_ctx_st *ctx, h2e_role role);
H2E_API void h2e_loop_tls_ctx_free(struct ssl_ctx_st *ctx);

#ifdef __cplusplus
}
#endif

#endif /* H2E_LOOP_H */
