#include "servers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef H2E_SERVE_PATH
#define H2E_SERVE_PATH "h2e-serve"
#endif

#define START_TIMEOUT_MS 5000
#define ARGS_MAX         12

static const char *const server_names[BENCH_SERVER_KINDS] = {"h2e", "nghttpd",
                                                             "h2o"};
static const char *const option_names[BENCH_SERVER_KINDS] = {
    "--h2e-serve", "--nghttpd", "--h2o"};

const char *bench_server_name(bench_server_kind kind) {
  return server_names[kind];
}

void bench_programs_init(bench_programs *programs) {
  programs->path[BENCH_H2E] = H2E_SERVE_PATH;
  programs->path[BENCH_NGHTTPD] = "nghttpd";
  programs->path[BENCH_H2O] = "h2o";
}

int bench_programs_option(bench_programs *programs, int argc, char **argv,
                          int *i) {
  for (int kind = 0; kind < BENCH_SERVER_KINDS; kind++)
    if (strcmp(argv[*i], option_names[kind]) == 0 && *i + 1 < argc) {
      programs->path[kind] = argv[++*i];
      return 1;
    }
  return 0;
}

int bench_program_found(const char *path) {
  if (path == NULL || path[0] == '\0')
    return 0;
  if (strchr(path, '/'))
    return access(path, X_OK) == 0;
  const char *dirs = getenv("PATH");
  char candidate[4096];
  while (dirs && *dirs) {
    size_t len = strcspn(dirs, ":");
    snprintf(candidate, sizeof candidate, "%.*s/%s", (int)len, dirs, path);
    if (access(candidate, X_OK) == 0)
      return 1;
    dirs += len + (dirs[len] == ':');
  }
  return 0;
}

static int write_file(const char *dir, const char *name, const void *data,
                      size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL)
    return -1;
  size_t written = fwrite(data, 1, len, f);
  return fclose(f) == 0 && written == len ? 0 : -1;
}

int bench_site_create(char *dir, size_t dir_cap, size_t file_len) {
  snprintf(dir, dir_cap, "/tmp/h2e-bench-XXXXXX");
  if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0)
    return -1;
  unsigned char *body = malloc(file_len ? file_len : 1);
  if (body == NULL)
    return -1;
  unsigned state = 2463534242u; /* xorshift: fixed, incompressible bytes */
  for (size_t i = 0; i < file_len; i++) {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;
    body[i] = (unsigned char)state;
  }
  int rc = write_file(dir, "file.bin", body, file_len);
  free(body);
  return rc;
}

void bench_site_remove(const char *dir) {
  char path[4096];
  const char *names[] = {"file.bin", "h2o.conf"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  rmdir(dir);
}

/* h2o reads its settings from a file: one thread, h2c on the port. */
static int write_h2o_conf(const char *dir, unsigned port) {
  char conf[4096];
  int len = snprintf(conf, sizeof conf,
                     "listen:\n  host: 127.0.0.1\n  port: %u\n"
                     "num-threads: 1\nhosts:\n  default:\n    paths:\n"
                     "      /:\n        file.dir: %s\n",
                     port, dir);
  return write_file(dir, "h2o.conf", conf, (size_t)len);
}

static void build_args(bench_server_kind kind, const char *program,
                       const char *dir, unsigned port, char *scratch,
                       size_t scratch_cap, char *args[ARGS_MAX]) {
  size_t n = 0;
  args[n++] = (char *)program;
  if (kind == BENCH_H2E) {
    snprintf(scratch, scratch_cap, "127.0.0.1:%u", port);
    args[n++] = "--listen", args[n++] = scratch;
    args[n++] = "--root", args[n++] = (char *)dir;
    args[n++] = "--threads", args[n++] = "1";
    args[n++] = "--quiet"; /* as the others: no access log */
  } else if (kind == BENCH_NGHTTPD) {
    snprintf(scratch, scratch_cap, "%u", port);
    args[n++] = "--no-tls", args[n++] = "-d", args[n++] = (char *)dir;
    args[n++] = "--address=127.0.0.1", args[n++] = scratch;
  } else {
    snprintf(scratch, scratch_cap, "%s/h2o.conf", dir);
    args[n++] = "-c", args[n++] = scratch;
  }
  args[n] = NULL;
}

static int port_accepts(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  close(fd);
  return ok;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int bench_server_start(bench_server *server, bench_server_kind kind,
                       const char *program, const char *dir, unsigned port) {
  memset(server, 0, sizeof *server);
  server->kind = kind;
  server->name = bench_server_name(kind);
  server->port = port;
  if (kind == BENCH_H2O && write_h2o_conf(dir, port) != 0)
    return -1;
  char scratch[4200];
  char *args[ARGS_MAX];
  build_args(kind, program, dir, port, scratch, sizeof scratch, args);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    execvp(program, args);
    _exit(127);
  }
  server->pid = pid;
  for (int waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
    if (port_accepts(port))
      return 0;
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      server->pid = 0;
      break;
    }
    sleep_ms(20);
  }
  fprintf(stderr, "h2e-bench: %s (%s) did not start on port %u\n", server->name,
          program, port);
  bench_server_stop(server);
  return -1;
}

void bench_server_stop(bench_server *server) {
  if (server->pid <= 0)
    return;
  kill(server->pid, SIGTERM);
  for (int waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
    if (waitpid(server->pid, NULL, WNOHANG) == server->pid) {
      server->pid = 0;
      return;
    }
    sleep_ms(20);
  }
  kill(server->pid, SIGKILL);
  waitpid(server->pid, NULL, 0);
  server->pid = 0;
}

double bench_proc_cpu_seconds(pid_t pid) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return 0;
  size_t len = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[len] = '\0';
  /* Fields after the ")" closing the command name: state is field 3,
   * utime and stime are fields 14 and 15 (proc(5)). */
  const char *p = strrchr(line, ')');
  unsigned long utime = 0, stime = 0;
  if (p == NULL ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
             &utime, &stime) != 2)
    return 0;
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

long bench_proc_rss_kb(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
      break;
  if (f)
    fclose(f);
  return kb;
}
