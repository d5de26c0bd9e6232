/* Server side of the h2c upgrade (RFC 7540 §3.2): the HTTP/1.1 request
 * head is parsed here (minimally: a request line, header lines, no body),
 * answered with 101, and handed to h2e_conn_new_upgraded as HTTP/2
 * fields; the bytes after the head (the client preface) stay in the
 * input for the new engine. */
#include "interop.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FIELDS_MAX   64
#define SETTINGS_MAX 32

static const char switching[] = "HTTP/1.1 101 Switching Protocols\r\n"
                                "Connection: Upgrade\r\n"
                                "Upgrade: h2c\r\n\r\n";

typedef struct http1_head {
  char text[IO_INPUT_CAP]; /* the head, split and lower-cased in place */
  h2e_field fields[FIELDS_MAX];
  size_t count;
  const char *settings; /* HTTP2-Settings value */
  size_t settings_len;
  int upgrade_h2c, has_body;
} http1_head;

static h2e_field field_len(const char *name, const char *value, size_t len) {
  h2e_field f = {(const uint8_t *)name, (const uint8_t *)value,
                 (uint32_t)strlen(name), (uint32_t)len, 0};
  return f;
}

/* RFC 9113 §8.2.2: connection-specific fields do not cross over. */
static int connection_specific(const char *name) {
  static const char *const names[] = {
      "connection", "upgrade",           "http2-settings",  "keep-alive",
      "host",       "transfer-encoding", "proxy-connection"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i]) == 0)
      return 1;
  return 0;
}

static void header_line(http1_head *h, char *line) {
  char *colon = strchr(line, ':');
  if (colon == NULL || h->count == FIELDS_MAX)
    return;
  *colon = 0;
  for (char *c = line; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  char *value = colon + 1;
  while (*value == ' ' || *value == '\t')
    value++;
  size_t len = strlen(value);
  while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
    value[--len] = 0;
  if (strcmp(line, "host") == 0)
    h->fields[2] = field_len(":authority", value, len);
  else if (strcmp(line, "upgrade") == 0)
    h->upgrade_h2c = strcasecmp(value, "h2c") == 0;
  else if (strcmp(line, "http2-settings") == 0) {
    h->settings = value;
    h->settings_len = len;
  } else if (strcmp(line, "content-length") == 0)
    h->has_body = strcmp(value, "0") != 0;
  else if (strcmp(line, "transfer-encoding") == 0)
    h->has_body = 1;
  if (!connection_specific(line))
    h->fields[h->count++] = field_len(line, value, len);
}

/* The request line and header lines of text (NUL-terminated, no final
 * empty line); 0 when it is an h2c upgrade we can take. */
static int parse_head(http1_head *h) {
  char *save = NULL, *words = NULL;
  char *line = strtok_r(h->text, "\r\n", &save);
  char *method = line ? strtok_r(line, " ", &words) : NULL;
  char *target = method ? strtok_r(NULL, " ", &words) : NULL;
  char *version = target ? strtok_r(NULL, " ", &words) : NULL;
  if (version == NULL || strcmp(version, "HTTP/1.1") != 0)
    return -1;
  h->fields[0] = field_len(":method", method, strlen(method));
  h->fields[1] = field_len(":scheme", "http", 4);
  h->fields[2] = field_len(":authority", "", 0);
  h->fields[3] = field_len(":path", target, strlen(target));
  h->count = 4;
  while ((line = strtok_r(NULL, "\r\n", &save)) != NULL)
    header_line(h, line);
  /* A request body would have to be read before the 101 (§3.2). */
  return h->upgrade_h2c && h->settings && !h->has_body ? 0 : -1;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd pfd = {fd, POLLOUT, 0};
      poll(&pfd, 1, 1000);
    } else {
      return -1;
    }
  }
  return 0;
}

int upgrade_take(io_conn *io, const h2e_config *cfg, uint64_t now_ms) {
  const uint8_t *end = NULL;
  for (size_t i = 0; i + 4 <= io->input_len && end == NULL; i++)
    if (memcmp(io->input + i, "\r\n\r\n", 4) == 0)
      end = io->input + i;
  if (end == NULL)
    return io->input_len == IO_INPUT_CAP || io->peer_eof ? -1 : 0;
  http1_head *head = calloc(1, sizeof *head);
  if (head == NULL)
    return -1;
  size_t head_len = (size_t)(end - io->input);
  memcpy(head->text, io->input, head_len);
  h2e_setting settings[SETTINGS_MAX];
  ptrdiff_t count = -1;
  h2e_conn *conn = NULL;
  if (parse_head(head) == 0)
    count = h2e_upgrade_settings_decode(head->settings, head->settings_len,
                                        settings, SETTINGS_MAX);
  if (count >= 0)
    conn = h2e_conn_new_upgraded(cfg, NULL, now_ms, settings, (size_t)count,
                                 head->fields, head->count);
  free(head); /* the engine copied the fields */
  if (conn == NULL || write_all(io->fd, switching, sizeof switching - 1) != 0) {
    h2e_conn_free(conn);
    return -1;
  }
  h2e_conn_free(io->conn);
  io->conn = conn;
  io->bytes_out += sizeof switching - 1;
  size_t used = head_len + 4;
  memmove(io->input, io->input + used, io->input_len - used);
  io->input_len -= used;
  return 1;
}
