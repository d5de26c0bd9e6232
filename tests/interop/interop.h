/* h2e-interop: drives h2e over real TCP sockets against other HTTP/2
 * implementations (tests/interop/run.sh).
 *
 *   interop_io.c      one socket + one h2e_conn: read, recv, pull events,
 *                     gather output, write; backpressure both ways
 *   interop_body.c    the known body pattern, files, small helpers
 *   interop_server.c  server mode: GET /bytes/N, POST/PUT echo
 *   interop_client.c  client mode: request lists, byte-exact body checks
 *   h2e-interop.c     command line
 *
 * Only the public API of include/h2e.h is used. */
#ifndef H2E_INTEROP_H
#define H2E_INTEROP_H

#include <stddef.h>
#include <stdint.h>

#include "h2e.h"

/* ---- one connection on a socket (interop_io.c) -------------------------- */

#define IO_INPUT_CAP 65536

typedef struct io_conn io_conn;

/* The role's side: each pulled event, and a chance to submit more work
 * (returns 1 when it submitted anything). */
typedef void (*io_event_fn)(void *ctx, io_conn *io, const h2e_event *ev);
typedef int (*io_work_fn)(void *ctx, io_conn *io);

struct io_conn {
  int fd;
  h2e_conn *conn;
  uint8_t input[IO_INPUT_CAP]; /* read from the socket, not yet consumed */
  size_t input_len;
  int peer_eof;     /* the socket read returned 0 */
  int socket_error; /* read or write failed (reset by the peer, ...) */
  int engine_done;  /* h2e_conn_recv said H2E_ERR_CONN_CLOSED */
  int stalled;      /* the engine takes no input and has nothing to say */
  uint64_t bytes_in, bytes_out;
  uint64_t short_recvs; /* h2e_conn_recv took less than it was given */
  io_event_fn on_event;
  io_work_fn on_work;
  void *ctx;
};

/* --tight: the smallest output buffer, event queue and body queue the
 * engine accepts, so that backpressure paths run against real peers. */
void io_config_tight(h2e_config *cfg);
uint64_t io_now_ms(void);
int io_set_nonblocking(int fd);
void io_init(io_conn *io, int fd, h2e_conn *conn, io_event_fn on_event,
             io_work_fn on_work, void *ctx);
/* Reads what the socket holds (when there is room and the engine wants
 * input). */
void io_read(io_conn *io);
/* Moves bytes and events until nothing more can happen without waiting. */
void io_step(io_conn *io, uint64_t now_ms);
/* POLLIN / POLLOUT for the next poll. */
short io_poll_events(const io_conn *io);
/* The connection is over: engine closed and drained, socket gone, or the
 * peer closed and every byte it sent has been fed. */
int io_finished(const io_conn *io);
/* Milliseconds until this connection's next engine deadline (capped). */
int io_timeout(const io_conn *io, uint64_t now_ms, int cap_ms);
/* Runs the engine's timers when due. */
void io_tick(io_conn *io, uint64_t now_ms);

/* ---- h2c upgrade (interop_upgrade.c) ------------------------------------ */

/* Server: the input holds (the start of) an HTTP/1.1 request. Returns 0
 * while its head is incomplete; 1 when it was an h2c upgrade, answered
 * with 101 and handed over: io->conn is a new engine made from cfg,
 * stream 1 carries the request, the input holds what followed the head;
 * -1 when it is not one (io unchanged). */
int upgrade_take(io_conn *io, const h2e_config *cfg, uint64_t now_ms);

/* ---- bodies and helpers (interop_body.c) ------------------------------- */

/* The known body: octet i of every generated body is i % 251 (a prime, so
 * the pattern never lines up with frame or window sizes). */
#define PATTERN_PERIOD 251u
#define PATTERN_CHUNK  16384u

/* A read-only run of the pattern long enough that any chunk of up to
 * PATTERN_CHUNK octets at any body offset is one slice of it. */
typedef struct pattern {
  uint8_t bytes[PATTERN_CHUNK + PATTERN_PERIOD];
} pattern;

void pattern_init(pattern *p);
/* The slice holding body octets [offset, offset + len), len <= CHUNK. */
const uint8_t *pattern_at(const pattern *p, uint64_t offset);
/* Index of the first octet of data[0..len) that differs from the pattern
 * at offset, or len when all match. */
size_t pattern_mismatch(const uint8_t *data, size_t len, uint64_t offset);

/* Whole file into memory (malloc); 0 on success. */
int file_load(const char *path, uint8_t **data, size_t *len);

/* A field from C strings. */
h2e_field field_of(const char *name, const char *value);
/* Whether a field has this name (lower case). */
int field_is(const h2e_field *f, const char *name);
/* A field's value as a C string into buf (truncated to cap - 1). */
void field_value(const h2e_field *f, char *buf, size_t cap);

/* ---- the two roles ------------------------------------------------------ */

typedef struct server_options {
  int port; /* 0: any free port */
  const char *port_file;
  long max_conns; /* exit after this many connections ended; 0: no bound */
  long seconds;   /* exit after this long; 0: no bound */
  uint32_t max_streams;
  int tight;
  uint32_t window; /* initial stream window (connection too if larger) */
  int verbose;
} server_options;

int server_run(const server_options *opt);

typedef struct client_options {
  const char *host;
  int port;
  const char *authority;
  long repeat;      /* the request list this many times */
  long concurrency; /* requests in flight at most (also the engine's bound) */
  long min_peak;    /* fail unless this many streams were open at once */
  long seconds;     /* give up after this long */
  uint32_t window;  /* initial stream window (connection too if larger) */
  int tight;
  int verbose;
  int nspecs;
  char **specs; /* METHOD,PATH[,body=F|bodyfile=F][,expect=...][,status=N] */
  int npushes;
  const char **pushes; /* PATH=file:F (accept, check) or PATH=cancel */
} client_options;

int client_run(const client_options *opt);

#endif
