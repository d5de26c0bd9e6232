/* The known body pattern, whole files, header field helpers. */
#include "interop.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pattern_init(pattern *p) {
  for (size_t i = 0; i < sizeof p->bytes; i++)
    p->bytes[i] = (uint8_t)(i % PATTERN_PERIOD);
}

const uint8_t *pattern_at(const pattern *p, uint64_t offset) {
  return p->bytes + offset % PATTERN_PERIOD;
}

size_t pattern_mismatch(const uint8_t *data, size_t len, uint64_t offset) {
  unsigned expected = (unsigned)(offset % PATTERN_PERIOD);
  for (size_t i = 0; i < len; i++) {
    if (data[i] != expected)
      return i;
    expected = expected + 1 == PATTERN_PERIOD ? 0 : expected + 1;
  }
  return len;
}

int file_load(const char *path, uint8_t **data, size_t *len) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0)
    return -1;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  size_t size = (size_t)st.st_size;
  uint8_t *buf = malloc(size ? size : 1);
  size_t got = 0;
  while (buf != NULL && got < size) {
    ssize_t n = read(fd, buf + got, size - got);
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  if (buf == NULL || got != size) {
    free(buf);
    return -1;
  }
  *data = buf;
  *len = size;
  return 0;
}

h2e_field field_of(const char *name, const char *value) {
  h2e_field f = {(const uint8_t *)name, (const uint8_t *)value,
                 (uint32_t)strlen(name), (uint32_t)strlen(value), 0};
  return f;
}

int field_is(const h2e_field *f, const char *name) {
  size_t len = strlen(name);
  return f->name_len == len && memcmp(f->name, name, len) == 0;
}

void field_value(const h2e_field *f, char *buf, size_t cap) {
  size_t len = f->value_len < cap - 1 ? f->value_len : cap - 1;
  memcpy(buf, f->value, len);
  buf[len] = 0;
}
