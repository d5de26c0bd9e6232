/* http:// and https:// URLs: scheme, host (a [v6] literal too), port,
 * path. */
#include "get.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *p, size_t len, uint16_t *port) {
  unsigned long value = 0;
  if (len == 0 || len > 5)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)p[i]))
      return -1;
    value = value * 10 + (unsigned long)(p[i] - '0');
  }
  if (value == 0 || value > 65535)
    return -1;
  *port = (uint16_t)value;
  return 0;
}

/* host[:port] or [v6][:port] in authority[0..len). */
static int parse_authority(const char *a, size_t len, get_url *url,
                           const char **why) {
  const char *host = a, *colon = NULL;
  size_t host_len;
  if (len > 0 && a[0] == '[') {
    const char *close = memchr(a, ']', len);
    if (close == NULL) {
      *why = "unterminated [IPv6] host";
      return -1;
    }
    host = a + 1;
    host_len = (size_t)(close - host);
    if (close + 1 < a + len) {
      if (close[1] != ':') {
        *why = "junk after ]";
        return -1;
      }
      colon = close + 1;
    }
  } else {
    colon = memchr(a, ':', len);
    host_len = colon ? (size_t)(colon - a) : len;
  }
  if (host_len == 0 || host_len >= GET_HOST_MAX) {
    *why = "no host, or a host too long";
    return -1;
  }
  if (colon &&
      parse_port(colon + 1, len - (size_t)(colon + 1 - a), &url->port) != 0) {
    *why = "bad port";
    return -1;
  }
  for (size_t i = 0; i < host_len; i++)
    url->host[i] = (char)tolower((unsigned char)host[i]);
  url->host[host_len] = '\0';
  memcpy(url->authority, a, len);
  url->authority[len] = '\0';
  return 0;
}

int get_url_parse(const char *text, get_url *url, const char **why) {
  memset(url, 0, sizeof *url);
  url->text = text;
  const char *rest;
  if (strncmp(text, "https://", 8) == 0) {
    url->tls = 1;
    url->port = 443;
    rest = text + 8;
  } else if (strncmp(text, "http://", 7) == 0) {
    url->port = 80;
    rest = text + 7;
  } else {
    *why = "not an http:// or https:// URL";
    return -1;
  }
  size_t len = strcspn(rest, "/?#");
  if (memchr(rest, '@', len)) {
    *why = "user info in URLs is not supported";
    return -1;
  }
  if (parse_authority(rest, len, url, why) != 0)
    return -1;
  if (rest[len] == '?') {
    *why = "a query needs a path (http://host/?query)";
    return -1;
  }
  url->path = rest[len] == '/' ? rest + len : "/";
  url->path_len = strcspn(url->path, "#"); /* fragments stay here */
  return 0;
}

void get_url_file_name(const get_url *url, char *out, size_t cap) {
  const char *path = url->path;
  size_t end = strcspn(path, "?#");
  if (end > url->path_len)
    end = url->path_len;
  size_t start = end;
  while (start > 0 && path[start - 1] != '/')
    start--;
  size_t len = end - start;
  if (len == 0 || (len == 1 && path[start] == '.') ||
      (len == 2 && memcmp(path + start, "..", 2) == 0)) {
    snprintf(out, cap, "index.html");
    return;
  }
  if (len >= cap)
    len = cap - 1;
  memcpy(out, path + start, len);
  out[len] = '\0';
}
