/* The open-file cache of one worker: a request path maps to its file,
 * opened once. Small files are kept whole in memory and go out in the
 * same writev as their headers; large ones keep their fd for sendfile.
 * An entry is checked against the file (stat) at most once per
 * SERVE_CACHE_CHECK_MS, so a changed file is served fresh within that
 * time. Entries are counted references: the table holds one, every
 * stream sending the body another, so replacing an entry never pulls a
 * body from under a stream. */
#include "serve.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVE_CACHE_CHECK_MS 1000
/* Files up to this size are read into memory. */
#define SERVE_CACHE_SMALL_MAX 65536
/* The memory all small files of one worker may take together. */
#define SERVE_CACHE_CONTENT_MAX (16u << 20)

struct serve_entry {
  unsigned refs;
  int fd; /* -1 when the body is in content */
  uint8_t *content;
  uint64_t size;
  const char *content_type;
  uint64_t checked_ms;
  dev_t dev;
  ino_t ino;
  struct timespec mtime;
  uint64_t hash;
  size_t key_len;
  char *key;  /* the request path, query dropped */
  char *file; /* the file it resolved to */
  serve_cache *cache;
};

static uint64_t hash_key(const char *key, size_t len) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (size_t i = 0; i < len; i++)
    h = (h ^ (uint8_t)key[i]) * 1099511628211u;
  return h;
}

/* The part of :path that names the file (RFC 3986: before ? or #). */
static size_t key_length(const char *path, size_t len) {
  size_t n = 0;
  while (n < len && path[n] != '?' && path[n] != '#')
    n++;
  return n;
}

void serve_entry_release(serve_entry *e) {
  if (e == NULL || --e->refs > 0)
    return;
  if (e->fd >= 0)
    close(e->fd);
  if (e->content && e->cache)
    e->cache->content_bytes -= e->size;
  free(e->content);
  free(e->key);
  free(e->file);
  free(e);
}

/* Whole small files are read once (pread until done). */
static int load_content(serve_entry *e) {
  e->content = malloc(e->size ? e->size : 1);
  if (e->content == NULL)
    return -1;
  for (uint64_t done = 0; done < e->size;) {
    ssize_t n = pread(e->fd, e->content + done, e->size - done, (off_t)done);
    if (n <= 0)
      return -1;
    done += (uint64_t)n;
  }
  close(e->fd);
  e->fd = -1;
  return 0;
}

static serve_entry *entry_open(serve_cache *cache, const serve_options *o,
                               const char *key, size_t key_len,
                               uint16_t *status) {
  serve_file *file = malloc(sizeof *file);
  serve_entry *e = calloc(1, sizeof *e);
  int fd = file && e ? serve_open_file(o, key, key_len, file) : -1;
  *status = file ? file->status : 500;
  if (fd < 0) {
    free(file);
    free(e);
    return NULL;
  }
  e->refs = 1;
  e->fd = fd;
  e->size = file->size;
  e->content_type = file->content_type;
  e->dev = file->st.st_dev;
  e->ino = file->st.st_ino;
  e->mtime = file->st.st_mtim;
  e->key = strndup(key, key_len);
  e->key_len = key_len;
  e->file = strdup(file->file);
  free(file);
  int small = e->size <= SERVE_CACHE_SMALL_MAX &&
              cache->content_bytes + e->size <= SERVE_CACHE_CONTENT_MAX;
  if (e->key == NULL || e->file == NULL || (small && load_content(e) != 0)) {
    serve_entry_release(e);
    *status = 500;
    return NULL;
  }
  if (e->content) {
    e->cache = cache;
    cache->content_bytes += e->size;
  }
  return e;
}

/* The file is still the one the entry holds (same inode, time, size). */
static int entry_current(serve_entry *e, uint64_t now_ms) {
  if (now_ms - e->checked_ms < SERVE_CACHE_CHECK_MS)
    return 1;
  struct stat st;
  if (stat(e->file, &st) != 0 || st.st_dev != e->dev || st.st_ino != e->ino ||
      (uint64_t)st.st_size != e->size || st.st_mtim.tv_sec != e->mtime.tv_sec ||
      st.st_mtim.tv_nsec != e->mtime.tv_nsec)
    return 0;
  e->checked_ms = now_ms;
  return 1;
}

serve_entry *serve_cache_get(serve_cache *cache, const serve_options *o,
                             const char *path, size_t path_len, uint64_t now_ms,
                             uint16_t *status) {
  size_t key_len = key_length(path, path_len);
  uint64_t hash = hash_key(path, key_len);
  serve_entry **slot = &cache->slots[hash % SERVE_CACHE_SLOTS];
  serve_entry *e = *slot;
  if (e && e->hash == hash && e->key_len == key_len &&
      memcmp(e->key, path, key_len) == 0 && entry_current(e, now_ms)) {
    e->refs++;
    *status = 200;
    return e;
  }
  e = entry_open(cache, o, path, key_len, status);
  if (e == NULL)
    return NULL;
  e->hash = hash;
  e->checked_ms = now_ms;
  serve_entry_release(*slot); /* the table's reference to the old one */
  *slot = e;
  e->refs++; /* the caller's */
  return e;
}

void serve_cache_free(serve_cache *cache) {
  for (size_t i = 0; i < SERVE_CACHE_SLOTS; i++) {
    serve_entry_release(cache->slots[i]);
    cache->slots[i] = NULL;
  }
}

int serve_entry_fd(const serve_entry *e) {
  return e->fd;
}
const uint8_t *serve_entry_content(const serve_entry *e) {
  return e->content;
}
uint64_t serve_entry_size(const serve_entry *e) {
  return e->size;
}
const char *serve_entry_type(const serve_entry *e) {
  return e->content_type;
}
