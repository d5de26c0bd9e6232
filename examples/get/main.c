/* h2e-get [options] URL...
 *
 * Fetches every URL concurrently over HTTP/2, one connection per origin
 * (the pool, h2e_pool.h, on the loop, h2e_loop.h): https:// with TLS and
 * ALPN h2, http:// with h2c prior knowledge. Bodies go to stdout in URL
 * order (see output.c) or to files.
 *
 * Exit status: 0 when every URL answered 2xx or 3xx; 1 when one answered
 * 400 or more or failed (a message names the URL and why); 2 on usage
 * errors.
 *
 * Limits: names are resolved and TCP connects made with blocking calls
 * (h2e_loop_connect_tcp), one origin at a time; -d @FILE is read into
 * memory (up to 1 GiB) and sent to every URL; https targets through
 * --proxy are refused (no TLS inside the tunnel). */
#include "get.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MAX_MS     1000
#define POOL_REQUESTS   4096
#define WINDOW          (256u * 1024u)
#define CONN_WINDOW     (16u * 1024u * 1024u)
#define BODY_FILE_LIMIT (1u << 30)

static void usage(void) {
  fprintf(stderr,
          "usage: h2e-get [options] URL...\n"
          "  -o FILE        write the body of the next URL to FILE\n"
          "  -O             save each URL without -o under its file name\n"
          "  -d DATA|@FILE  POST DATA (or FILE's contents) to every URL\n"
          "  -H 'name: value'  add a request header field\n"
          "  --proxy URL    tunnel through an HTTP/2 proxy (CONNECT); http://\n"
          "                 targets only\n"
          "  --cacert FILE  verify servers against FILE instead of the system "
          "store\n"
          "  -k             do not verify TLS certificates\n"
          "  -v             print the frames sent and received (stderr)\n"
          "Exit status: 0 all 2xx/3xx, 1 an HTTP error or failure, 2 usage.\n");
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "h2e-get: -d @%s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 65536, used = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + used, 1, cap - used, f)) > 0) {
    used += n;
    if (used == cap && cap < BODY_FILE_LIMIT) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (bigger == NULL)
        free(buf);
      buf = bigger;
      cap *= 2;
    } else if (used == cap) {
      fprintf(stderr, "h2e-get: -d @%s: larger than 1 GiB\n", path);
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  *len = used;
  return buf;
}

/* "name: value" into a lower-cased field (the name is lowered in place). */
static int parse_header(char *arg, h2e_field *f) {
  char *colon = strchr(arg, ':');
  if (colon == NULL || colon == arg)
    return -1;
  for (char *p = arg; p < colon; p++)
    *p = (char)tolower((unsigned char)*p);
  const char *value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  f->name = (const uint8_t *)arg;
  f->name_len = (uint32_t)(colon - arg);
  f->value = (const uint8_t *)value;
  f->value_len = (uint32_t)strlen(value);
  f->flags = 0;
  return 0;
}

/* 0, or 2 after a message (usage). */
static int parse_options(int argc, char **argv, get_options *o,
                         uint8_t **body_owned) {
  int save_all = 0;
  const char *next_out = NULL;
  memset(o, 0, sizeof *o);
  o->urls = calloc((size_t)argc, sizeof *o->urls);
  o->out_paths = calloc((size_t)argc, sizeof *o->out_paths);
  if (o->urls == NULL || o->out_paths == NULL)
    return 2;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int takes_value = strcmp(arg, "-o") == 0 || strcmp(arg, "-d") == 0 ||
                      strcmp(arg, "-H") == 0 || strcmp(arg, "--proxy") == 0 ||
                      strcmp(arg, "--cacert") == 0;
    const char *value = takes_value && i + 1 < argc ? argv[++i] : NULL;
    if (takes_value && value == NULL) {
      fprintf(stderr, "h2e-get: %s needs a value\n", arg);
      return 2;
    }
    if (strcmp(arg, "-o") == 0) {
      next_out = value;
    } else if (strcmp(arg, "-O") == 0) {
      save_all = 1;
    } else if (strcmp(arg, "-k") == 0) {
      o->insecure = 1;
    } else if (strcmp(arg, "-v") == 0) {
      o->verbose = 1;
    } else if (strcmp(arg, "--proxy") == 0) {
      o->proxy = value;
    } else if (strcmp(arg, "--cacert") == 0) {
      o->cacert = value;
    } else if (strcmp(arg, "-d") == 0) {
      if (value[0] == '@') {
        *body_owned = read_file(value + 1, &o->body_len);
        if (*body_owned == NULL)
          return 2;
        o->body = *body_owned;
      } else {
        o->body = (const uint8_t *)value;
        o->body_len = strlen(value);
      }
    } else if (strcmp(arg, "-H") == 0) {
      if (o->header_count == GET_HEADERS_MAX ||
          parse_header(argv[i], &o->headers[o->header_count++]) != 0) {
        fprintf(stderr, "h2e-get: -H '%s': want 'name: value' (at most %d)\n",
                value, GET_HEADERS_MAX);
        return 2;
      }
    } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      usage();
      return 2;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      fprintf(stderr, "h2e-get: unknown option %s\n", arg);
      usage();
      return 2;
    } else {
      o->out_paths[o->count] = next_out;
      o->urls[o->count++] = arg;
      next_out = NULL;
    }
  }
  if (o->count == 0) {
    usage();
    return 2;
  }
  o->save_all = save_all;
  return 0;
}

/* The origin of a URL, added when new. */
static get_origin *origin_for(get_app *app, const get_url *u, int via_proxy) {
  for (size_t i = 0; i < app->origin_count; i++) {
    get_origin *o = &app->origins[i];
    if (o->tls == u->tls && o->port == u->port && o->via_proxy == via_proxy &&
        strcmp(o->host, u->host) == 0)
      return o;
  }
  get_origin *o = &app->origins[app->origin_count++];
  memset(o, 0, sizeof *o);
  o->tls = u->tls;
  o->port = u->port;
  o->via_proxy = via_proxy;
  o->cap = 1;
  memcpy(o->host, u->host, sizeof o->host);
  return o;
}

/* Parses the URLs into requests and origins; 0 or 2 (usage). */
static int plan(get_app *app, const get_options *o,
                char names[][GET_HOST_MAX]) {
  app->requests = calloc(o->count, sizeof *app->requests);
  app->origins = calloc(o->count + 1, sizeof *app->origins);
  size_t *slots = calloc(o->count, sizeof *slots);
  if (app->requests == NULL || app->origins == NULL || slots == NULL)
    return 2;
  const char *why;
  for (size_t i = 0; i < o->count; i++) {
    get_request *r = &app->requests[i];
    if (get_url_parse(o->urls[i], &r->url, &why) != 0) {
      fprintf(stderr, "h2e-get: %s: %s\n", o->urls[i], why);
      free(slots);
      return 2;
    }
    if (o->proxy && r->url.tls) {
      fprintf(stderr,
              "h2e-get: %s: https through --proxy is not supported (no TLS "
              "inside the tunnel); use http:// (h2c) targets\n",
              o->urls[i]);
      free(slots);
      return 2;
    }
    r->origin = origin_for(app, &r->url, o->proxy != NULL);
    r->out_path = o->out_paths[i];
    if (r->out_path == NULL && o->save_all) {
      get_url_file_name(&r->url, names[i], GET_HOST_MAX);
      r->out_path = names[i];
    }
    r->origin->count++;
  }
  /* Each origin's requests in URL order, in one shared index array. */
  size_t used = 0;
  for (size_t k = 0; k < app->origin_count; k++) {
    app->origins[k].pending = slots + used;
    used += app->origins[k].count;
    app->origins[k].count = 0;
  }
  for (size_t i = 0; i < o->count; i++) {
    get_origin *org = app->requests[i].origin;
    org->pending[org->count++] = i;
  }
  if (o->proxy) {
    if (get_url_parse(o->proxy, &app->proxy_url, &why) != 0) {
      fprintf(stderr, "h2e-get: --proxy %s: %s\n", o->proxy, why);
      return 2;
    }
    app->proxy = origin_for(app, &app->proxy_url, 0);
    app->proxy->cap = 0; /* only CONNECTs go there */
  }
  return 0;
}

static int needs_tls(const get_app *app) {
  for (size_t i = 0; i < app->origin_count; i++)
    if (app->origins[i].tls)
      return 1;
  return 0;
}

static int setup(get_app *app) {
  h2e_config_init(&app->config, H2E_CLIENT);
  app->config.initial_window_size = WINDOW;
  app->config.connection_window = CONN_WINDOW;
  if (needs_tls(app)) {
    app->tls = h2e_loop_tls_client_ctx(
        app->options->cacert,
        app->options->insecure ? H2E_LOOP_TLS_NO_VERIFY : 0);
    if (app->tls == NULL) {
      fprintf(stderr, "h2e-get: TLS setup failed%s\n",
              h2e_loop_tls_available() ? "" : ": built without OpenSSL");
      return 1;
    }
  }
  h2e_pool_config pc;
  h2e_pool_config_init(&pc);
  uint32_t origins = (uint32_t)app->origin_count;
  pc.max_connections = 2 * origins + 4;
  pc.max_keys = origins + 4;
  pc.max_idle = origins + 1;
  pc.max_requests = POOL_REQUESTS;
  pc.max_queued_per_key = POOL_REQUESTS;
  app->pool = h2e_pool_new(&pc, NULL);
  static const h2e_loop_handlers handlers = {NULL, get_ready, get_closed};
  app->loop = h2e_loop_new(&handlers, NULL, app);
  if (app->pool == NULL || app->loop == NULL) {
    fprintf(stderr, "h2e-get: out of memory\n");
    return 1;
  }
  return 0;
}

static int wait_ms(const get_app *app) {
  uint64_t now = get_now_ms(), deadline = h2e_pool_deadline(app->pool);
  uint64_t tunnels = get_tunnels_deadline(app);
  if (tunnels < deadline)
    deadline = tunnels;
  if (deadline <= now)
    return 0;
  return deadline - now < WAIT_MAX_MS ? (int)(deadline - now) : WAIT_MAX_MS;
}

static void run(get_app *app) {
  for (;;) {
    get_settle(app);
    if (app->finished == app->options->count)
      break;
    if (h2e_loop_run_once(app->loop, wait_ms(app)) < 0 && errno != EINTR) {
      fprintf(stderr, "h2e-get: the event loop failed: %s\n", strerror(errno));
      app->failed = 1;
      break;
    }
    uint64_t now = get_now_ms();
    if (h2e_pool_deadline(app->pool) <= now)
      h2e_pool_tick(app->pool, now);
    get_progress(app, 0);
  }
  get_progress(app, 1);
}

static void teardown(get_app *app) {
  h2e_loop_free(app->loop); /* closes the direct connections */
  while (app->conns) {
    get_conn *c = app->conns;
    app->conns = c->next;
    h2e_conn_free(c->inner);
    get_trace_free(c);
    free(c->connect);
    free(c->held);
    free(c);
  }
  for (size_t i = 0; i < app->options->count; i++) {
    get_request *r = &app->requests[i];
    if (r->out && r->out != stdout)
      fclose(r->out);
  }
  h2e_pool_free(app->pool);
  h2e_loop_tls_ctx_free(app->tls);
  if (app->origin_count)
    free(app->origins[0].pending);
  free(app->origins);
  free(app->requests);
}

int main(int argc, char **argv) {
  get_options options;
  uint8_t *body = NULL;
  get_app app;
  memset(&app, 0, sizeof app);
  app.options = &options;
  int rc = parse_options(argc, argv, &options, &body);
  char(*names)[GET_HOST_MAX] =
      rc == 0 ? calloc(options.count, sizeof *names) : NULL;
  if (rc == 0 && names == NULL)
    rc = 2;
  if (rc == 0)
    rc = plan(&app, &options, names);
  signal(SIGPIPE, SIG_IGN);
  app.started_ms = get_now_ms();
  if (rc == 0 && (rc = setup(&app)) == 0) {
    run(&app);
    rc = app.failed ? 1 : 0;
  }
  if (fflush(stdout) != 0) {
    fprintf(stderr, "h2e-get: stdout: %s\n", strerror(errno));
    rc = rc ? rc : 1;
  }
  if (app.loop || app.pool || app.requests)
    teardown(&app);
  free(names);
  free(body);
  free(options.urls);
  free(options.out_paths);
  return rc;
}
