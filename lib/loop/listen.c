/* TCP sockets for the adapters: a listener (SO_REUSEPORT for one loop per
 * thread on the same port) and a client connection. */
#include "io.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static struct addrinfo *resolve(const char *host, uint16_t port, int passive) {
  char service[8];
  (void)snprintf(service, sizeof service, "%u", (unsigned)port);
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  if (getaddrinfo(host, service, &hints, &found) != 0)
    return NULL;
  return found;
}

static int listen_on(const struct addrinfo *ai, int flags, int backlog) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd < 0)
    return -1;
  int one = 1;
  int ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0;
  if (ok && (flags & H2E_LOOP_REUSEPORT))
    ok = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0;
  if (ok && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
      listen(fd, backlog > 0 ? backlog : SOMAXCONN) == 0 &&
      set_nonblocking(fd) == 0)
    return fd;
  close(fd);
  return -1;
}

int h2e_loop_listen_tcp(const char *host, uint16_t port, int flags,
                        int backlog) {
  struct addrinfo *found = resolve(host, port, 1);
  int fd = -1;
  for (struct addrinfo *ai = found; ai && fd < 0; ai = ai->ai_next)
    fd = listen_on(ai, flags, backlog);
  if (found)
    freeaddrinfo(found);
  return fd < 0 ? H2E_LOOP_ERR_IO : fd;
}

static int connect_to(const struct addrinfo *ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd < 0)
    return -1;
  int one = 1;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 &&
      set_nonblocking(fd) == 0)
    return fd;
  close(fd);
  return -1;
}

int h2e_loop_connect_tcp(const char *host, uint16_t port) {
  struct addrinfo *found = resolve(host, port, 0);
  int fd = -1;
  for (struct addrinfo *ai = found; ai && fd < 0; ai = ai->ai_next)
    fd = connect_to(ai);
  if (found)
    freeaddrinfo(found);
  return fd < 0 ? H2E_LOOP_ERR_IO : fd;
}

int h2e_loop_local_port(int fd) {
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
    return H2E_LOOP_ERR_IO;
  if (addr.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&addr)->sin_port);
  if (addr.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
  return H2E_LOOP_ERR_IO;
}
