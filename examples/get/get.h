/* h2e-get: fetches URLs over HTTP/2 with the connection pool (h2e_pool.h)
 * on the h2e loop (h2e_loop.h). One connection per origin, requests
 * multiplexed on it up to the server's stream limit; through --proxy each
 * origin's connection runs inside a CONNECT stream on the proxy's
 * connection (HTTP/2 over HTTP/2 CONNECT, RFC 9113 §8.5). */
#ifndef H2E_GET_H
#define H2E_GET_H

#include "h2e_loop.h"
#include "h2e_pool.h"

#include <stdint.h>
#include <stdio.h>

#define GET_HEADERS_MAX 32
#define GET_HOST_MAX    256

/* ---- url.c */
typedef struct get_url {
  const char *text; /* as given */
  int tls;          /* https */
  char host[GET_HOST_MAX];
  uint16_t port;
  char authority[GET_HOST_MAX + 8]; /* :authority, host[:port] */
  const char *path;                 /* :path, inside text ("/" if none) */
  size_t path_len;                  /* without a #fragment */
} get_url;

/* Parses http:// and https:// URLs. 0 or -1 with *why set. */
int get_url_parse(const char *text, get_url *url, const char **why);
/* The name -O saves a URL under: its last path segment (no query), or
 * "index.html". Writes at most cap octets, NUL included. */
void get_url_file_name(const get_url *url, char *out, size_t cap);

/* ---- the application's records */
typedef struct get_app get_app;
typedef struct get_conn get_conn;

/* An origin: the pool key's parts and what is known of its server. */
typedef struct get_origin {
  int tls;
  char host[GET_HOST_MAX];
  uint16_t port;
  int via_proxy;   /* its connection is a tunnel through --proxy */
  uint32_t cap;    /* requests checked out at once: 1 until the
                      server's SETTINGS say its stream limit */
  uint32_t active; /* checked out, not finished */
  size_t next;     /* the next of its requests to check out */
  size_t *pending; /* indexes of its requests, in URL order */
  size_t count;
  char error[512]; /* why its last connection failed */
} get_origin;

typedef enum get_state {
  REQ_WAITING = 0, /* not checked out yet */
  REQ_POOLED,      /* in the pool: queued or on a stream */
  REQ_DONE,        /* response complete */
  REQ_FAILED
} get_state;

typedef struct get_request get_request;
struct get_request {
  get_url url;
  get_origin *origin;
  get_state state;
  int32_t pool_id;
  get_conn *conn; /* while on a stream */
  uint32_t stream;
  get_request *conn_next; /* the connection's requests on streams */
  /* A CONNECT to the proxy carrying `tunnel` (not one of the URLs). */
  get_conn *tunnel;
  int status;
  uint64_t received, expected; /* body octets; content-length or 0 */
  /* output */
  const char *out_path; /* -o / -O file, NULL: stdout */
  FILE *out;            /* the file, stdout, or a spill file */
  int spilled;          /* out is a temporary file for later stdout */
  char error[256];
};

struct frame_printer;

/* One direction of a connection as -v prints it. */
typedef struct get_trace_side {
  const get_conn *conn;
  int received;
  int failed; /* no printer could be made */
  struct frame_printer *printer;
} get_trace_side;

struct get_conn {
  get_app *app;
  get_conn *next;
  uint32_t id; /* the pool's */
  get_origin *origin;
  h2e_loop_conn *lc;         /* a direct connection */
  h2e_conn *inner;           /* a tunnel's engine, once the proxy said 2xx */
  get_request *connect;      /* a tunnel's CONNECT on the proxy */
  get_request *requests;     /* on streams of this connection */
  get_request *blocked;      /* submits that hit a full output buffer */
  uint8_t *held;             /* tunnel: input the inner engine has not */
  size_t held_len, held_cap; /*   taken yet (bounded by the window) */
  size_t handed, unsent;     /* tunnel: inner output submitted outward */
  get_trace_side trace_sent, trace_recv; /* -v */
  uint8_t connected : 1,  /* told to the pool: h2c, or TLS that chose h2 */
      closed_by_pool : 1, /* its CLOSE was pulled */
      dead : 1,           /* reported dead (or failed) to the pool */
      dirty : 1;          /* submitted to: drive it */
};

typedef struct get_options {
  const char **urls;
  const char **out_paths; /* per URL, NULL: stdout */
  size_t count;
  h2e_field headers[GET_HEADERS_MAX];
  size_t header_count;
  const uint8_t *body; /* -d */
  size_t body_len;
  const char *proxy;
  const char *cacert; /* --cacert, NULL: the system's trust store */
  int insecure, verbose, save_all;
} get_options;

struct get_app {
  const get_options *options;
  h2e_loop *loop;
  h2e_pool *pool;
  struct ssl_ctx_st *tls;
  h2e_config config;
  get_request *requests; /* one per URL */
  get_origin *origins;
  size_t origin_count;
  get_origin *proxy; /* the --proxy origin, last of origins */
  get_url proxy_url;
  get_conn *conns;
  size_t finished;    /* URL requests done or failed */
  size_t stdout_next; /* the first URL whose stdout body is not all out */
  int failed;
  uint64_t events; /* engine events handled, to see progress */
  uint64_t started_ms;
  int progress;         /* a progress line is on the terminal */
  uint64_t progress_at; /* when it was drawn */
};

/* ---- conn.c */
/* Performs the pool's actions and drives what they touched until nothing
 * is left to do. */
void get_settle(get_app *app);
/* The loop's handlers. */
void get_ready(h2e_loop *loop, h2e_loop_conn *lc);
void get_closed(h2e_loop *loop, h2e_loop_conn *lc);
/* The earliest deadline of the tunnels' engines, or UINT64_MAX. */
uint64_t get_tunnels_deadline(const get_app *app);
h2e_conn *get_conn_engine(const get_conn *c);
uint64_t get_now_ms(void);

/* ---- request.c */
/* Checks out each origin's next requests, within its cap. */
void get_checkout_more(get_app *app);
/* Opens the request's stream on c (a SUBMIT action). */
void get_submit(get_app *app, get_conn *c, get_request *r, uint32_t retry);
/* An event of a request's stream. */
void get_request_event(get_app *app, get_request *r, const h2e_event *ev);
/* The request is over: ok, or failed with a message. */
void get_request_finish(get_app *app, get_request *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void get_request_unlink(get_request *r);

/* ---- output.c */
int get_output_open(get_app *app, get_request *r);
int get_output_write(get_app *app, get_request *r, const uint8_t *data,
                     size_t len);
/* After a request finished: closes its file, moves finished bodies to
 * stdout in URL order. */
void get_output_finish(get_app *app, get_request *r);
void get_progress(get_app *app, int final);

/* ---- trace.c (-v) */
/* The loop's trace hook (arg: the get_conn): prints the frames. */
void get_trace_bytes(void *arg, int received, const uint8_t *data, size_t len);
void get_trace_free(get_conn *c);
void get_trace_note(const get_app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
