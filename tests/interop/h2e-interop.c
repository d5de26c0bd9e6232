/* h2e-interop: h2e over plain TCP on 127.0.0.1, against real peers.
 *
 *   h2e-interop server [options] PORT
 *       --port-file F      write the port (useful with PORT 0) to F
 *       --max-conns N      exit once N connections have ended
 *       --seconds S        exit after S seconds
 *       --max-streams N    our SETTINGS_MAX_CONCURRENT_STREAMS
 *       --window N         SETTINGS_INITIAL_WINDOW_SIZE (and the
 *                          connection window when larger than 65535)
 *       --tight            tiny engine bounds (output buffer, events,
 *                          queued bodies): backpressure all the time
 *     GET /bytes/N: N octets of the pattern (octet i is i % 251);
 *     POST or PUT: the request body echoed; else 404. Exit status 1 when
 *     the engine reported an error against a peer, 0 otherwise.
 *
 *   h2e-interop client [options] PORT SPEC...
 *       --host A           IPv4 address (default 127.0.0.1)
 *       --authority A      :authority host (default the address)
 *       --repeat R         run the SPEC list R times (default 1)
 *       --concurrency C    streams in flight at most (default 100)
 *       --min-peak P       fail unless P streams were open at once
 *       --seconds S        give up after S seconds (default 30)
 *       --window N         SETTINGS_INITIAL_WINDOW_SIZE (and the
 *                          connection window when larger than 65535)
 *       --tight            as for the server
 *       --push PATH=file:F accept a push of PATH, its body must equal F
 *       --push PATH=cancel refuse a push of PATH (RST_STREAM CANCEL)
 *     SPEC: METHOD,PATH[,body=F|bodyfile=F][,expect=file:F|pattern:N|
 *     echo|any][,status=N] (see interop_client.c). Exit status 1 on any
 *     mismatch or protocol error.
 *
 *   -v (either mode) logs more.
 */
#include "interop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void) {
  fprintf(stderr, "usage: h2e-interop server [options] PORT\n"
                  "       h2e-interop client [options] PORT SPEC...\n"
                  "(options: see the top of tests/interop/h2e-interop.c)\n");
  return 2;
}

static int number(const char *text, long *out) {
  char *end;
  long v = strtol(text, &end, 10);
  if (end == text || *end || v < 0)
    return -1;
  *out = v;
  return 0;
}

/* "--name VALUE" at argv[*i]: 1 with *value set and *i moved on. */
static int option(int argc, char **argv, int *i, const char *name,
                  const char **value) {
  if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
    return 0;
  *value = argv[++*i];
  return 1;
}

static int numeric_option(int argc, char **argv, int *i, const char *name,
                          long *out, int *bad) {
  const char *value;
  if (!option(argc, argv, i, name, &value))
    return 0;
  *bad |= number(value, out) != 0;
  return 1;
}

static int server_main(int argc, char **argv) {
  server_options opt = {0};
  long port = -1, streams = 0, window = 0;
  int bad = 0;
  for (int i = 0; i < argc; i++) {
    if (option(argc, argv, &i, "--port-file", &opt.port_file) ||
        numeric_option(argc, argv, &i, "--max-conns", &opt.max_conns, &bad) ||
        numeric_option(argc, argv, &i, "--seconds", &opt.seconds, &bad) ||
        numeric_option(argc, argv, &i, "--max-streams", &streams, &bad) ||
        numeric_option(argc, argv, &i, "--window", &window, &bad))
      continue;
    if (strcmp(argv[i], "-v") == 0)
      opt.verbose = 1;
    else if (strcmp(argv[i], "--tight") == 0)
      opt.tight = 1;
    else if (port < 0 && number(argv[i], &port) == 0 && port < 65536)
      opt.port = (int)port;
    else
      bad = 1;
  }
  if (bad || port < 0 || window > 0x7fffffff)
    return usage();
  opt.max_streams = (uint32_t)streams;
  opt.window = (uint32_t)window;
  return server_run(&opt);
}

static int client_main(int argc, char **argv) {
  client_options opt = {0};
  long port = -1, window = 0;
  int bad = 0;
  opt.host = "127.0.0.1";
  opt.repeat = 1;
  opt.concurrency = 100;
  opt.seconds = 30;
  opt.specs = calloc((size_t)argc + 1, sizeof *opt.specs);
  opt.pushes = calloc((size_t)argc + 1, sizeof *opt.pushes);
  for (int i = 0; opt.specs && opt.pushes && i < argc; i++) {
    const char *push;
    if (option(argc, argv, &i, "--push", &push)) {
      opt.pushes[opt.npushes++] = push;
      continue;
    }
    if (option(argc, argv, &i, "--host", &opt.host) ||
        option(argc, argv, &i, "--authority", &opt.authority) ||
        numeric_option(argc, argv, &i, "--repeat", &opt.repeat, &bad) ||
        numeric_option(argc, argv, &i, "--concurrency", &opt.concurrency,
                       &bad) ||
        numeric_option(argc, argv, &i, "--min-peak", &opt.min_peak, &bad) ||
        numeric_option(argc, argv, &i, "--seconds", &opt.seconds, &bad) ||
        numeric_option(argc, argv, &i, "--window", &window, &bad))
      continue;
    if (strcmp(argv[i], "-v") == 0)
      opt.verbose = 1;
    else if (strcmp(argv[i], "--tight") == 0)
      opt.tight = 1;
    else if (port < 0 && number(argv[i], &port) == 0 && port < 65536)
      opt.port = (int)port;
    else if (port >= 0 && argv[i][0] != '-')
      opt.specs[opt.nspecs++] = argv[i];
    else
      bad = 1;
  }
  int status;
  if (opt.specs && opt.pushes && !bad && port > 0 && opt.nspecs > 0 &&
      opt.repeat > 0 && opt.concurrency > 0 && opt.concurrency <= 65536 &&
      window <= 0x7fffffff) {
    opt.window = (uint32_t)window;
    status = client_run(&opt);
  } else {
    status = usage();
  }
  free(opt.specs);
  free((void *)opt.pushes);
  return status;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "server") == 0)
    return server_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "client") == 0)
    return client_main(argc - 2, argv + 2);
  return usage();
}
