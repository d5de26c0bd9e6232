/* Maps request paths to files under the served root. */
#include "serve.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_FILE "index.html"

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The path part of :path (before '?' or '#'), %XX decoded into out.
 * Returns its length, or -1 when malformed (bad escape, NUL, no leading
 * '/', too long). */
static ptrdiff_t decode_path(const char *path, size_t len, char *out,
                             size_t cap) {
  size_t n = 0;
  if (len == 0 || path[0] != '/')
    return -1;
  for (size_t i = 0; i < len && path[i] != '?' && path[i] != '#'; i++) {
    int c = (unsigned char)path[i];
    if (c == '%') {
      int hi = i + 2 < len ? hex_value(path[i + 1]) : -1;
      int lo = i + 2 < len ? hex_value(path[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return -1;
      c = hi * 16 + lo;
      i += 2;
    }
    if (c == 0 || n + 1 >= cap)
      return -1;
    out[n++] = (char)c;
  }
  out[n] = '\0';
  return (ptrdiff_t)n;
}

/* No segment may be ".." (nor "." for tidiness). */
static int has_dot_segment(const char *path) {
  for (const char *seg = path; seg; seg = strchr(seg + 1, '/')) {
    const char *s = seg + 1;
    size_t len = strcspn(s, "/");
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
      return 1;
  }
  return 0;
}

/* The resolved file stays under the root (symlinks included). */
static int under_root(const serve_options *options, const char *file) {
  char resolved[PATH_MAX];
  if (realpath(file, resolved) == NULL)
    return 0;
  return strncmp(resolved, options->root, options->root_len) == 0 &&
         (resolved[options->root_len] == '/' ||
          resolved[options->root_len] == '\0');
}

static const char *content_type_of(const char *file);

int serve_open_file(const serve_options *options, const char *path,
                    size_t path_len, serve_file *out) {
  char decoded[PATH_MAX / 2];
  char *file = out->file;
  const size_t file_cap = sizeof out->file;
  uint16_t *status = &out->status;
  *status = 400;
  if (decode_path(path, path_len, decoded, sizeof decoded) < 0 ||
      has_dot_segment(decoded))
    return -1;
  *status = 404;
  size_t n = (size_t)snprintf(file, file_cap, "%s%s", options->root, decoded);
  struct stat *st = &out->st;
  if (n >= file_cap || stat(file, st) != 0)
    return -1;
  if (S_ISDIR(st->st_mode)) {
    n += (size_t)snprintf(file + n, file_cap - n, "%s" INDEX_FILE,
                          file[n - 1] == '/' ? "" : "/");
    if (n >= file_cap || stat(file, st) != 0)
      return -1;
  }
  if (!S_ISREG(st->st_mode) || !under_root(options, file))
    return -1;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  out->size = (uint64_t)st->st_size;
  out->content_type = content_type_of(file);
  *status = 200;
  return fd;
}

typedef struct content_type {
  const char *extension;
  const char *type;
} content_type;

static const content_type content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

static const char *content_type_of(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot && (slash == NULL || dot > slash))
    for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
      if (strcmp(dot + 1, content_types[i].extension) == 0)
        return content_types[i].type;
  return "application/octet-stream";
}
