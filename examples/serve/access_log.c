/* The access log: one line per request, written when it is over. */
#include "serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

void serve_peer_name(int fd, char *out, size_t cap) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (getpeername(fd, (struct sockaddr *)&addr, &len) == 0) {
    if (addr.ss_family == AF_INET) {
      const struct sockaddr_in *in = (const struct sockaddr_in *)&addr;
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      port = ntohs(in->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&addr;
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      port = ntohs(in6->sin6_port);
    }
  }
  snprintf(out, cap, "%s:%u", host, port);
}

/* 2026-12-06T15:04:05Z conn=0.12 h2c 127.0.0.1:5555 stream=3 "GET /a.png"
 * 200 1234 0ms */
void serve_log_request(const serve_stream *s, const char *protocol,
                       uint64_t now_ms) {
  FILE *log = s->conn->worker->options->log;
  if (log == NULL)
    return;
  char when[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf(log, "%s conn=%d.%llu %s %s stream=%u \"%s %s\" %u %llu %llums%s\n",
          when, s->conn->worker->index, (unsigned long long)s->conn->id,
          protocol ? protocol : "-", s->conn->peer, s->id, s->method,
          s->path[0] ? s->path : s->authority, s->status,
          (unsigned long long)s->body_len,
          (unsigned long long)(now_ms - s->started_ms),
          s->reset ? " reset" : "");
}
