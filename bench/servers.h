/* The servers the end-to-end benches compare: h2e-serve, nghttpd and h2o,
 * each started on 127.0.0.1 over h2c serving one directory, plus readings
 * of a server process from /proc. */
#ifndef H2E_BENCH_SERVERS_H
#define H2E_BENCH_SERVERS_H

#include <stddef.h>
#include <sys/types.h>

typedef enum bench_server_kind {
  BENCH_H2E = 0,
  BENCH_NGHTTPD,
  BENCH_H2O,
  BENCH_SERVER_KINDS
} bench_server_kind;

typedef struct bench_server {
  bench_server_kind kind;
  const char *name; /* as printed in the report lines */
  pid_t pid;        /* 0 when not running */
  unsigned port;
} bench_server;

/* The server's name in report lines: "h2e", "nghttpd", "h2o". */
const char *bench_server_name(bench_server_kind kind);

/* Where each server's program is; NULL or "" leaves it out. */
typedef struct bench_programs {
  const char *path[BENCH_SERVER_KINDS];
} bench_programs;

/* Defaults: the h2e-serve of this build tree, nghttpd and h2o from PATH. */
void bench_programs_init(bench_programs *programs);
/* Takes --h2e-serve/--nghttpd/--h2o PATH options ("" = leave it out).
 * Returns 1 when argv[*i] was one of them (*i then points at its value). */
int bench_programs_option(bench_programs *programs, int argc, char **argv,
                          int *i);
/* The program can be run. */
int bench_program_found(const char *path);

/* A fresh directory holding file.bin (file_len random octets) and the
 * servers' configuration files. Returns 0 or -1. */
int bench_site_create(char *dir, size_t dir_cap, size_t file_len);
void bench_site_remove(const char *dir);

/* Starts a server on the port, serving dir; waits until it accepts.
 * Returns 0 or -1 (with a message on stderr). */
int bench_server_start(bench_server *server, bench_server_kind kind,
                       const char *program, const char *dir, unsigned port);
void bench_server_stop(bench_server *server);

/* CPU seconds (user + system) the process has used. */
double bench_proc_cpu_seconds(pid_t pid);
/* Resident set size of the process in KiB. */
long bench_proc_rss_kb(pid_t pid);

#endif
