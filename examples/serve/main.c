/* h2e-serve [--listen HOST:PORT] [--root DIR] [--cert FILE --key FILE]
 *           [--threads N] [--proxy] [--goaway-after N] [--quiet]
 *
 * Serves a directory over HTTP/2: h2c by prior knowledge or Upgrade, and
 * TLS with ALPN h2 (--cert/--key). One epoll loop per thread, each with its own
 * SO_REUSEPORT listener. SIGINT or SIGTERM shuts down gracefully: GOAWAY
 * to every connection, their streams finish, then exit. */
#include "serve.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS_MAX    64
#define WAIT_MS        200
#define DRAIN_LIMIT_MS 10000
#define LISTEN_BACKLOG 1024

static void usage(void) {
  fprintf(stderr,
          "usage: h2e-serve [--listen HOST:PORT] [--root DIR] "
          "[--cert FILE --key FILE] [--threads N] [--proxy] [--quiet]\n"
          "  --listen   address to listen on (default 127.0.0.1:8080)\n"
          "  --root     directory to serve (default .)\n"
          "  --cert/--key  PEM certificate chain and key: TLS, ALPN h2\n"
          "  --threads  event loops, one per thread (default 1)\n"
          "  --proxy    accept CONNECT and tunnel to the authority\n"
          "  --goaway-after N  GOAWAY each connection after N requests "
          "(a test aid)\n"
          "  --quiet    no access log\n");
}

static int parse_listen(const char *arg, serve_options *o, char *host,
                        size_t cap) {
  const char *colon = strrchr(arg, ':');
  if (colon == NULL || (size_t)(colon - arg) >= cap)
    return -1;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535)
    return -1;
  memcpy(host, arg, (size_t)(colon - arg));
  host[colon - arg] = '\0';
  /* "[::1]:8080" */
  if (host[0] == '[' && host[strlen(host) - 1] == ']') {
    memmove(host, host + 1, strlen(host) - 2);
    host[strlen(host) - 2] = '\0';
  }
  o->host = host;
  o->port = (uint16_t)port;
  return 0;
}

static int parse_options(int argc, char **argv, serve_options *o, char *host,
                         size_t host_cap, char *root) {
  const char *root_arg = ".";
  memset(o, 0, sizeof *o);
  o->host = "127.0.0.1";
  o->port = 8080;
  o->threads = 1;
  o->log = stdout;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--proxy") == 0) {
      o->proxy = 1;
      continue;
    }
    if (strcmp(arg, "--quiet") == 0) {
      o->log = NULL;
      continue;
    }
    const char *value = ++i < argc ? argv[i] : NULL;
    if (value == NULL)
      return -1;
    if (strcmp(arg, "--listen") == 0) {
      if (parse_listen(value, o, host, host_cap) != 0)
        return -1;
    } else if (strcmp(arg, "--root") == 0) {
      root_arg = value;
    } else if (strcmp(arg, "--cert") == 0) {
      o->cert = value;
    } else if (strcmp(arg, "--key") == 0) {
      o->key = value;
    } else if (strcmp(arg, "--threads") == 0) {
      o->threads = atoi(value);
    } else if (strcmp(arg, "--goaway-after") == 0) {
      o->goaway_after = strtoul(value, NULL, 10);
    } else {
      return -1;
    }
  }
  if (o->threads < 1 || o->threads > THREADS_MAX || !o->cert != !o->key)
    return -1;
  if (realpath(root_arg, root) == NULL) {
    fprintf(stderr, "h2e-serve: --root %s: %s\n", root_arg, strerror(errno));
    return -2;
  }
  o->root = root;
  o->root_len = strlen(root);
  return 0;
}

/* ---- workers ------------------------------------------------------------ */

static atomic_int stopping;

static int worker_init(serve_worker *w, const serve_options *o, int index,
                       struct ssl_ctx_st *tls,
                       h2e_loop_conn_options *conn_options,
                       h2e_config *config) {
  memset(w, 0, sizeof *w);
  w->options = o;
  w->tls = tls;
  w->index = index;
  static const h2e_loop_handlers handlers = {serve_accepted, serve_ready,
                                             serve_closed};
  w->loop = h2e_loop_new(&handlers, NULL, w);
  w->listen_fd =
      h2e_loop_listen_tcp(o->host, o->port, H2E_LOOP_REUSEPORT, LISTEN_BACKLOG);
  if (w->loop == NULL || w->listen_fd < 0) {
    fprintf(stderr, "h2e-serve: cannot listen on %s:%u: %s\n", o->host, o->port,
            strerror(errno));
    return -1;
  }
  h2e_config_init(config, H2E_SERVER);
  config->enable_connect_protocol = o->proxy ? 1 : 0;
  if (o->proxy)
    config->connection_window = SERVE_PROXY_CONNECTION_WINDOW;
  memset(conn_options, 0, sizeof *conn_options);
  conn_options->config = config;
  conn_options->tls = w->tls;
  conn_options->h2c_upgrade = w->tls == NULL; /* RFC 7540 §3.2 */
  return h2e_loop_add_listener(w->loop, w->listen_fd, conn_options);
}

/* Graceful shutdown (RFC 9113 §6.8): stop accepting, GOAWAY to every
 * connection, let their streams finish, give up after DRAIN_LIMIT_MS. */
static void worker_drain(serve_worker *w) {
  h2e_loop_remove_listener(w->loop, w->listen_fd);
  for (serve_conn *c = w->conns; c; c = c->next) {
    h2e_submit_goaway(h2e_loop_conn_engine(c->lc), H2E_NO_ERROR,
                      "shutting down", serve_now_ms());
    h2e_loop_drive(w->loop, c->lc);
  }
  uint64_t deadline = serve_now_ms() + DRAIN_LIMIT_MS;
  while (h2e_loop_conn_count(w->loop) > 0 && serve_now_ms() < deadline)
    h2e_loop_run_once(w->loop, WAIT_MS);
}

static void *worker_run(void *arg) {
  serve_worker *w = arg;
  while (!atomic_load(&stopping)) {
    if (h2e_loop_run_once(w->loop, WAIT_MS) < 0 && errno != EINTR)
      break;
    if (w->options->log)
      fflush(w->options->log); /* one write per wakeup, not per line */
  }
  worker_drain(w);
  if (w->options->log)
    fflush(w->options->log);
  return NULL;
}

static void on_signal(int sig) {
  (void)sig;
  atomic_store(&stopping, 1);
}

int main(int argc, char **argv) {
  serve_options o;
  char host[256], root[PATH_MAX];
  int rc = parse_options(argc, argv, &o, host, sizeof host, root);
  if (rc != 0) {
    if (rc == -1)
      usage();
    return 2;
  }
  struct ssl_ctx_st *tls = NULL;
  if (o.cert && (tls = h2e_loop_tls_server_ctx(o.cert, o.key)) == NULL) {
    fprintf(stderr, "h2e-serve: TLS setup failed (--cert %s --key %s)%s\n",
            o.cert, o.key,
            h2e_loop_tls_available() ? "" : ": built without OpenSSL");
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  static serve_worker workers[THREADS_MAX];
  static h2e_loop_conn_options conn_options[THREADS_MAX];
  static h2e_config configs[THREADS_MAX];
  pthread_t threads[THREADS_MAX];
  for (int i = 0; i < o.threads; i++)
    if (worker_init(&workers[i], &o, i, tls, &conn_options[i], &configs[i]) !=
        0)
      return 1;
  fprintf(stderr, "h2e-serve: %s on %s:%u (%s), root %s, %d thread%s\n",
          tls ? "https (h2)" : "h2c", o.host,
          (unsigned)h2e_loop_local_port(workers[0].listen_fd),
          o.proxy ? "proxy" : "files", o.root, o.threads,
          o.threads > 1 ? "s" : "");
  for (int i = 1; i < o.threads; i++)
    pthread_create(&threads[i], NULL, worker_run, &workers[i]);
  worker_run(&workers[0]);
  for (int i = 1; i < o.threads; i++)
    pthread_join(threads[i], NULL);
  for (int i = 0; i < o.threads; i++) {
    h2e_loop_free(workers[i].loop);
    serve_cache_free(&workers[i].cache);
  }
  h2e_loop_tls_ctx_free(tls);
  return 0;
}
