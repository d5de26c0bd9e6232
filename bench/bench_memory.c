/* h2e-bench memory: what an open HTTP/2 connection costs each server.
 *
 * Each server (those installed) runs on 127.0.0.1 over h2c. The bench
 * opens one warm-up connection, reads the server's RSS, then opens
 * --connections more, makes one GET on each (an h2e client per
 * connection, the response read whole), keeps them all open, lets them
 * settle for a second (idle connections give buffers back), and reads
 * the RSS again. The growth divided by the connections is the figure; the
 * last one is the library's own bound for a server connection with
 * default settings (h2e_conn_memsize_max):
 *
 *   memory-1000conn: h2e X KB/conn, nghttpd Y KB/conn, h2o Z KB/conn,
 *                    h2e-worst-case W KB/conn
 *
 * usage: h2e-bench memory [--connections N] [--h2e-serve PATH]
 *                         [--nghttpd PATH] [--h2o PATH]   (PATH "" = skip)
 */
#include "bench.h"
#include "servers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "h2e.h"

#define DEFAULT_CONNECTIONS 1000
#define FIRST_PORT          28100
#define CONNECT_BATCH       100
#define EXCHANGE_TIMEOUT_MS 30000
/* After the last response, the clients keep pumping this long before the
 * RSS is read: late acknowledgements reach the server, and timers that
 * give idle buffers back (the engine's deadline, which the loop arms) have
 * run. */
#define SETTLE_MS   1000
#define READ_CHUNK  16384
#define OUTPUT_VECS 8

typedef struct client {
  int fd;
  h2e_conn *conn;
  int done;   /* the response ended */
  int failed; /* the connection broke */
} client;

static void *heap_alloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}

static void heap_free(void *ctx, void *ptr, size_t size) {
  (void)ctx, (void)size;
  free(ptr);
}

static const h2e_allocator heap = {heap_alloc, heap_free, NULL};

static int client_open(client *c, unsigned port, uint64_t now_ms) {
  memset(c, 0, sizeof *c);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (c->fd < 0 ||
      (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0 &&
       errno != EINPROGRESS))
    return -1;
  h2e_config config;
  h2e_config_init(&config, H2E_CLIENT);
  config.auto_consume = 1;
  c->conn = h2e_conn_new(&config, &heap, now_ms);
  char authority[32];
  snprintf(authority, sizeof authority, "127.0.0.1:%u", port);
  const h2e_field request[] = {
      {(const uint8_t *)":method", (const uint8_t *)"GET", 7, 3, 0},
      {(const uint8_t *)":scheme", (const uint8_t *)"http", 7, 4, 0},
      {(const uint8_t *)":authority", (const uint8_t *)authority, 10,
       (uint32_t)strlen(authority), 0},
      {(const uint8_t *)":path", (const uint8_t *)"/file.bin", 5, 9, 0}};
  if (c->conn == NULL ||
      h2e_submit_request(c->conn, request, 4, H2E_END_STREAM) != 1)
    return -1;
  return 0;
}

static void client_close(client *c) {
  if (c->fd >= 0)
    close(c->fd);
  h2e_conn_free(c->conn);
  c->fd = -1, c->conn = NULL;
}

static void client_write(client *c) {
  h2e_output_vec vecs[OUTPUT_VECS];
  struct iovec iov[OUTPUT_VECS];
  size_t n = h2e_conn_output(c->conn, vecs, OUTPUT_VECS);
  for (size_t i = 0; i < n; i++)
    iov[i] = (struct iovec){(void *)vecs[i].base, vecs[i].len};
  ssize_t written = n ? writev(c->fd, iov, (int)n) : 0;
  if (written < 0 && errno != EAGAIN)
    c->failed = 1;
  if (written > 0)
    h2e_conn_output_done(c->conn, (size_t)written);
}

static void client_events(client *c) {
  h2e_event ev;
  while (h2e_conn_next_event(c->conn, &ev))
    if (ev.type == H2E_EV_STREAM_CLOSED && ev.stream_id == 1)
      c->done = 1;
    else if (ev.type == H2E_EV_STREAM_RESET || ev.type == H2E_EV_CONN_ERROR)
      c->failed = 1;
}

static void client_read(client *c, uint64_t now_ms) {
  uint8_t buf[READ_CHUNK];
  ssize_t got = read(c->fd, buf, sizeof buf);
  if (got == 0 || (got < 0 && errno != EAGAIN)) {
    c->failed = 1;
    return;
  }
  for (size_t used = 0; got > 0 && used < (size_t)got && !c->failed;) {
    ptrdiff_t taken =
        h2e_conn_recv(c->conn, buf + used, (size_t)got - used, now_ms);
    if (taken < 0)
      c->failed = 1;
    else
      used += (size_t)taken;
    client_events(c);
    client_write(c);
  }
}

/* Pumps the clients until all are done (or failed) and then settle_ms
 * more, so that late acknowledgements reach the server. */
static int pump(client *clients, size_t count, long settle_ms) {
  struct pollfd *fds = calloc(count, sizeof *fds);
  double start = bench_now(), settled_at = 0;
  int ok = fds != NULL;
  while (ok) {
    size_t open = 0;
    for (size_t i = 0; i < count; i++) {
      fds[i].fd = clients[i].failed ? -1 : clients[i].fd;
      fds[i].events = POLLIN;
      if (h2e_conn_want(clients[i].conn) & H2E_WANT_WRITE)
        fds[i].events |= POLLOUT;
      open += !clients[i].done && !clients[i].failed;
    }
    double now = bench_now();
    if (open == 0 && settled_at == 0)
      settled_at = now;
    if (settled_at > 0 && (now - settled_at) * 1000 >= (double)settle_ms)
      break;
    if ((now - start) * 1000 > EXCHANGE_TIMEOUT_MS)
      ok = 0;
    if (poll(fds, (nfds_t)count, 10) < 0)
      ok = 0;
    uint64_t now_ms = (uint64_t)(bench_now() * 1000);
    for (size_t i = 0; ok && i < count; i++) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
        client_read(&clients[i], now_ms);
      if (fds[i].revents & POLLOUT)
        client_write(&clients[i]);
    }
  }
  free(fds);
  for (size_t i = 0; ok && i < count; i++)
    ok = clients[i].done && !clients[i].failed;
  return ok ? 0 : -1;
}

/* Opens count clients in batches (listen backlogs are finite). */
static int open_clients(client *clients, size_t count, unsigned port) {
  for (size_t first = 0; first < count; first += CONNECT_BATCH) {
    size_t batch =
        count - first < CONNECT_BATCH ? count - first : CONNECT_BATCH;
    for (size_t i = first; i < first + batch; i++)
      if (client_open(&clients[i], port, (uint64_t)(bench_now() * 1000)))
        return -1;
    if (pump(clients + first, batch, 0) != 0)
      return -1;
  }
  return pump(clients, count, SETTLE_MS);
}

/* RSS growth per connection in KiB, or -1. */
static double measure_server(const bench_server *server, size_t connections) {
  client *clients = calloc(connections + 1, sizeof *clients);
  double per_conn = -1;
  if (clients && open_clients(clients, 1, server->port) == 0) {
    long before = bench_proc_rss_kb(server->pid);
    if (open_clients(clients + 1, connections, server->port) == 0) {
      long after = bench_proc_rss_kb(server->pid);
      per_conn = (double)(after - before) / (double)connections;
    } else {
      fprintf(stderr, "h2e-bench: memory: exchanges with %s failed\n",
              server->name);
    }
  }
  for (size_t i = 0; clients && i <= connections; i++)
    if (clients[i].conn)
      client_close(&clients[i]);
  free(clients);
  return per_conn;
}

int bench_memory(int argc, char **argv) {
  bench_programs programs;
  bench_programs_init(&programs);
  unsigned long connections = DEFAULT_CONNECTIONS;
  for (int i = 1; i < argc; i++) {
    if (bench_programs_option(&programs, argc, argv, &i))
      continue;
    if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc)
      connections = strtoul(argv[++i], NULL, 10);
    else {
      fprintf(stderr, "usage: h2e-bench memory [--connections N] "
                      "[--h2e-serve|--nghttpd|--h2o PATH]\n");
      return 2;
    }
  }
  char dir[64];
  if (connections == 0 || bench_site_create(dir, sizeof dir, 1024) != 0)
    return 2;
  int failed = 0;
  double kb[BENCH_SERVER_KINDS];
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++) {
    bench_server server = {0};
    kb[kind] = -1;
    if (!bench_program_found(programs.path[kind]))
      fprintf(stderr, "h2e-bench: %s not found, left out\n",
              programs.path[kind] ? programs.path[kind] : "(none)");
    else if (bench_server_start(&server, (bench_server_kind)kind,
                                programs.path[kind], dir,
                                FIRST_PORT + (unsigned)kind) == 0) {
      kb[kind] = measure_server(&server, connections);
      failed |= kb[kind] < 0;
      bench_server_stop(&server);
    }
  }
  printf("memory-%luconn:", connections);
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++) {
    const char *name = bench_server_name((bench_server_kind)kind);
    if (kb[kind] < 0)
      printf(" %s n/a,", name);
    else
      printf(" %s %.1f KB/conn,", name, kb[kind]);
  }
  h2e_config config;
  h2e_config_init(&config, H2E_SERVER);
  printf(" h2e-worst-case %.1f KB/conn\n",
         (double)h2e_conn_memsize_max(&config) / 1024.0);
  bench_site_remove(dir);
  return failed;
}
