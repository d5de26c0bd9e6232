/* h2e-serve: serves a directory over HTTP/2 (h2c by prior knowledge, h2c
 * Upgrade, TLS with ALPN h2) on the h2e epoll loop. One loop per thread,
 * each with its own SO_REUSEPORT listener; nothing shared between them
 * but the read-only options. */
#ifndef H2E_SERVE_H
#define H2E_SERVE_H

#include "h2e_loop.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct serve_options {
  const char *host;
  uint16_t port;
  const char *root; /* realpath of --root */
  size_t root_len;
  const char *cert, *key;
  int threads;
  int proxy; /* --proxy: CONNECT tunnels to any authority */
  /* --goaway-after N (a test aid): a graceful GOAWAY on each connection
   * once it has received N requests; 0: never. */
  unsigned long goaway_after;
  FILE *log; /* access log (stdout), NULL with --quiet */
} serve_options;

/* What one loop (thread) owns. */
typedef struct serve_conn serve_conn;
typedef struct serve_entry serve_entry;

/* ---- cache.c: the open-file cache of one worker */
#define SERVE_CACHE_SLOTS 1024
typedef struct serve_cache {
  serve_entry *slots[SERVE_CACHE_SLOTS]; /* direct-mapped by path hash */
  uint64_t content_bytes;                /* small files held in memory */
} serve_cache;

/* The file a :path names, with a reference for the caller (give it back
 * with serve_entry_release once its body is sent), or NULL with *status
 * 404, 400 or 500. */
serve_entry *serve_cache_get(serve_cache *cache, const serve_options *o,
                             const char *path, size_t path_len, uint64_t now_ms,
                             uint16_t *status);
void serve_entry_release(serve_entry *e);
void serve_cache_free(serve_cache *cache);
/* The body: in memory (content non-NULL) or in the file fd. */
int serve_entry_fd(const serve_entry *e);
const uint8_t *serve_entry_content(const serve_entry *e);
uint64_t serve_entry_size(const serve_entry *e);
const char *serve_entry_type(const serve_entry *e);

typedef struct serve_worker {
  const serve_options *options;
  h2e_loop *loop;
  struct ssl_ctx_st *tls;
  int index;             /* thread number, part of connection ids */
  uint64_t next_conn_id; /* per worker; printed as index.n */
  int listen_fd;
  serve_conn *conns; /* open connections */
  serve_cache cache;
} serve_worker;

/* A connection's own state (the loop connection's user data). */
typedef struct serve_stream serve_stream;

struct serve_conn {
  serve_conn *prev, *next; /* the worker's connections */
  h2e_loop_conn *lc;
  serve_worker *worker;
  uint64_t id;
  char peer[64];         /* client address */
  serve_stream *streams; /* requests being answered */
  size_t open_streams;
  unsigned long requests; /* received so far */
  uint64_t now_ms;        /* the clock, read once per turn */
};

typedef struct serve_tunnel serve_tunnel;

/* One request being answered. */
struct serve_stream {
  serve_stream *next;
  serve_conn *conn;
  uint32_t id;
  serve_entry *entry; /* the file whose body is being sent */
  uint16_t status;
  uint64_t body_len; /* octets of body submitted */
  uint64_t started_ms;
  char method[16];
  char path[256];
  char authority[256];
  uint8_t body_released; /* DATA_SENT for the body came, or no body */
  uint8_t stream_done;   /* STREAM_CLOSED or STREAM_RESET came */
  uint8_t reset;
  uint8_t logged;
  serve_tunnel *tunnel; /* a CONNECT in proxy mode */
};

/* ---- files.c */
typedef struct serve_file {
  uint64_t size;
  const char *content_type; /* by the file's extension */
  uint16_t status;          /* 200, 404, or 400 for a malformed path */
  struct stat st;           /* the file's identity when it was opened */
  char file[PATH_MAX];      /* its path */
} serve_file;

/* Opens the file a :path names under the root (query dropped, %XX
 * decoded, no "." or ".." segment, no escape through symlinks; a
 * directory serves its index.html). Returns an fd, or -1 with
 * out->status 404 or 400. */
int serve_open_file(const serve_options *options, const char *path,
                    size_t path_len, serve_file *out);

/* ---- handler.c */
/* The loop's handlers: accepted, ready, closed. */
void serve_accepted(h2e_loop *loop, h2e_loop_conn *lc);
void serve_ready(h2e_loop *loop, h2e_loop_conn *lc);
void serve_closed(h2e_loop *loop, h2e_loop_conn *lc);

/* Frees the record once its stream is over and its body released (the
 * access log line goes out then). */
void serve_stream_settle(serve_stream *s);

/* ---- tunnel.c: CONNECT in proxy mode (RFC 9113 §8.5) */
/* A tunnel gives credit back only as its upstream takes the bytes, so a
 * proxy's connection window makes room for many stream windows: one slow
 * upstream does not stall the connection's other streams. */
#define SERVE_PROXY_CONNECTION_WINDOW (16u * 1024u * 1024u)

/* Connects to s->authority; answers 200 once connected, 502 if not. */
void serve_tunnel_open(serve_stream *s);
/* Client DATA (and END_STREAM) for the upstream socket. */
void serve_tunnel_data(serve_stream *s, const h2e_event *ev);
/* The engine released the DATA read from upstream. */
void serve_tunnel_sent(serve_stream *s);
/* The stream closed or was reset: the socket closes. */
void serve_tunnel_end(serve_stream *s);
/* The connection is gone: the socket closes, the buffers go. */
void serve_tunnel_free(serve_stream *s);

/* ---- access_log.c */
/* One line per finished request: time, connection id, protocol, client,
 * stream, method, path, status, body octets, duration. */
void serve_log_request(const serve_stream *stream, const char *protocol,
                       uint64_t now_ms);

uint64_t serve_now_ms(void);
/* "address:port" of the socket's peer. */
void serve_peer_name(int fd, char *out, size_t cap);

#endif
