/* h2e-bench e2e: h2e-serve against nghttpd and h2o, end to end.
 *
 * Each server (those installed) runs single-threaded on 127.0.0.1 over
 * h2c and serves the same 1 KiB file. h2load loads them in alternation:
 * per load line, --rounds rounds, each round one h2load run per server.
 * A run's req/s is h2load's; its CPU cost is the server's user + system
 * seconds over the run from /proc/PID/stat, so req/s per CPU-second
 * compares servers fairly on a machine where h2load takes a core. The
 * report gives the medians over the rounds:
 *
 *   e2e-c10m32: h2e R req/s (Q per cpu-s), nghttpd ..., h2o ...,
 *               ratio-vs-nghttpd X, ratio-vs-h2o-per-cpu Y
 *
 * A run counts only when h2load reports every request succeeded.
 *
 * usage: h2e-bench e2e [--rounds N] [--requests N] [--h2e-serve PATH]
 *                      [--nghttpd PATH] [--h2o PATH]   (PATH "" = skip)
 */
#include "bench.h"
#include "servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ROUNDS   3
#define DEFAULT_REQUESTS 200000
#define FIRST_PORT       28000
#define ROUNDS_MAX       15

typedef struct load_line {
  const char *name;
  unsigned clients;
  unsigned streams;
} load_line;

static const load_line load_lines[] = {{"e2e-c10m32", 10, 32},
                                       {"e2e-c100m10", 100, 10}};

typedef struct server_figures {
  double rps[ROUNDS_MAX];
  double per_cpu[ROUNDS_MAX];
  size_t runs;
} server_figures;

/* Runs h2load once; returns its req/s, or -1 when a request failed. */
static double run_h2load(const load_line *line, unsigned port,
                         unsigned long requests) {
  char command[512];
  snprintf(command, sizeof command,
           "h2load -n %lu -c %u -m %u http://127.0.0.1:%u/file.bin 2>&1",
           requests, line->clients, line->streams, port);
  FILE *out = popen(command, "r");
  if (out == NULL)
    return -1;
  char text[512];
  double rps = -1;
  unsigned long succeeded = 0;
  while (fgets(text, sizeof text, out)) {
    const char *p = strstr(text, "finished in ");
    if (p && (p = strchr(p, ',')) != NULL)
      rps = strtod(p + 1, NULL);
    sscanf(text, "requests: %*u total, %*u started, %*u done, %lu succeeded",
           &succeeded);
  }
  pclose(out);
  return succeeded == requests ? rps : -1;
}

static int measure(const load_line *line, const bench_server *server,
                   unsigned long requests, server_figures *figures) {
  double cpu_before = bench_proc_cpu_seconds(server->pid);
  double rps = run_h2load(line, server->port, requests);
  double cpu = bench_proc_cpu_seconds(server->pid) - cpu_before;
  if (rps <= 0) {
    fprintf(stderr, "h2e-bench: %s: h2load failed against %s\n", line->name,
            server->name);
    return -1;
  }
  figures->rps[figures->runs] = rps;
  figures->per_cpu[figures->runs] = cpu > 0 ? (double)requests / cpu : 0;
  figures->runs++;
  return 0;
}

static void print_line(const load_line *line, const bench_server *servers,
                       server_figures *figures) {
  double rps[BENCH_SERVER_KINDS] = {0}, per_cpu[BENCH_SERVER_KINDS] = {0};
  printf("%s:", line->name);
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++) {
    const char *name = bench_server_name((bench_server_kind)kind);
    if (servers[kind].pid <= 0 || figures[kind].runs == 0) {
      printf(" %s n/a req/s (n/a per cpu-s),", name);
      continue;
    }
    rps[kind] = bench_median(figures[kind].rps, figures[kind].runs);
    per_cpu[kind] = bench_median(figures[kind].per_cpu, figures[kind].runs);
    printf(" %s %.0f req/s (%.0f per cpu-s),", name, rps[kind], per_cpu[kind]);
  }
  if (rps[BENCH_H2E] > 0 && rps[BENCH_NGHTTPD] > 0)
    printf(" ratio-vs-nghttpd %.2f,", rps[BENCH_H2E] / rps[BENCH_NGHTTPD]);
  else
    printf(" ratio-vs-nghttpd n/a,");
  if (per_cpu[BENCH_H2E] > 0 && per_cpu[BENCH_H2O] > 0)
    printf(" ratio-vs-h2o-per-cpu %.2f\n",
           per_cpu[BENCH_H2E] / per_cpu[BENCH_H2O]);
  else
    printf(" ratio-vs-h2o-per-cpu n/a\n");
  fflush(stdout);
}

int bench_e2e(int argc, char **argv) {
  bench_programs programs;
  bench_programs_init(&programs);
  unsigned long rounds = DEFAULT_ROUNDS, requests = DEFAULT_REQUESTS;
  for (int i = 1; i < argc; i++) {
    if (bench_programs_option(&programs, argc, argv, &i))
      continue;
    if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
      requests = strtoul(argv[++i], NULL, 10);
    else {
      fprintf(stderr, "usage: h2e-bench e2e [--rounds N] [--requests N] "
                      "[--h2e-serve|--nghttpd|--h2o PATH]\n");
      return 2;
    }
  }
  if (rounds == 0 || rounds > ROUNDS_MAX || requests == 0)
    return 2;
  char dir[64];
  if (bench_site_create(dir, sizeof dir, 1024) != 0) {
    fprintf(stderr, "h2e-bench: cannot create the site directory\n");
    return 1;
  }
  bench_server servers[BENCH_SERVER_KINDS] = {{0}};
  int failed = 0;
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++)
    if (bench_program_found(programs.path[kind]))
      bench_server_start(&servers[kind], (bench_server_kind)kind,
                         programs.path[kind], dir, FIRST_PORT + (unsigned)kind);
    else
      fprintf(stderr, "h2e-bench: %s not found, left out\n",
              programs.path[kind] ? programs.path[kind] : "(none)");
  for (size_t l = 0; l < sizeof load_lines / sizeof load_lines[0]; l++) {
    server_figures figures[BENCH_SERVER_KINDS];
    memset(figures, 0, sizeof figures);
    for (unsigned long round = 0; round < rounds; round++)
      for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++)
        if (servers[kind].pid > 0 &&
            measure(&load_lines[l], &servers[kind], requests, &figures[kind]))
          failed = 1;
    print_line(&load_lines[l], servers, figures);
  }
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++)
    bench_server_stop(&servers[kind]);
  bench_site_remove(dir);
  return failed;
}
