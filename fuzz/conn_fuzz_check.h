/* Shared bits of the connection fuzz targets (conn_server, conn_client):
 * the failure report, and the small functions the other conn_fuzz_*.h
 * files use (hashing fields, the body pattern, choice tables).
 *
 * A failed check prints its name and aborts, which libFuzzer reports as a
 * crash with the input. CONN_FUZZ_SKIP=name1,name2 in the environment
 * turns named checks off, so fuzzing can go on past a known engine bug
 * while it is being fixed. */
#ifndef CONN_FUZZ_CHECK_H
#define CONN_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2e.h"

static int cf_check_skipped(const char *name) {
  const char *skip = getenv("CONN_FUZZ_SKIP");
  size_t len = strlen(name);
  while (skip && *skip) {
    const char *end = strchr(skip, ',');
    size_t item = end ? (size_t)(end - skip) : strlen(skip);
    if (item == len && memcmp(skip, name, len) == 0)
      return 1;
    skip = end ? end + 1 : NULL;
  }
  return 0;
}

static void cf_check_failed(const char *name, const char *file, int line) {
  if (cf_check_skipped(name))
    return;
  fprintf(stderr, "conn fuzz: check '%s' failed (%s:%d)\n", name, file, line);
  abort();
}

/* CF_CHECK(condition, "name"): the invariant `name` must hold. */
#define CF_CHECK(cond, name)                                                   \
  do {                                                                         \
    if (!(cond))                                                               \
      cf_check_failed(name, __FILE__, __LINE__);                               \
  } while (0)

/* FNV-1a, to compare field lists without keeping them. */
static uint32_t cf_hash_bytes(uint32_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint32_t cf_hash_u32(uint32_t h, uint32_t v) {
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};
  return cf_hash_bytes(h, b, 4);
}

/* Names and values in order; flags do not count (the decoder reports
 * never-indexed fields, the encoder may add that flag on its own). */
static uint32_t cf_hash_fields(const h2e_field *fields, size_t count) {
  uint32_t h = cf_hash_u32(2166136261u, (uint32_t)count);
  for (size_t i = 0; i < count; i++) {
    h = cf_hash_u32(h, fields[i].name_len);
    h = cf_hash_bytes(h, fields[i].name, fields[i].name_len);
    h = cf_hash_u32(h, fields[i].value_len);
    h = cf_hash_bytes(h, fields[i].value, fields[i].value_len);
  }
  return h;
}

/* Body octets are a function of the stream and the offset in its body,
 * so every DATA frame the engine writes can be checked in place: right
 * bytes, right order, right stream. */
static uint8_t cf_pattern(uint32_t stream_id, uint64_t offset) {
  return (uint8_t)(offset ^ (offset >> 8) ^ (offset >> 16) ^
                   (stream_id * 167u) ^ (stream_id >> 8));
}

static void cf_pattern_fill(uint8_t *p, size_t n, uint32_t stream_id,
                            uint64_t offset) {
  for (size_t i = 0; i < n; i++)
    p[i] = cf_pattern(stream_id, offset + i);
}

static int cf_pattern_matches(const uint8_t *p, size_t n, uint32_t stream_id,
                              uint64_t offset) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != cf_pattern(stream_id, offset + i))
      return 0;
  return 1;
}

static void cf_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

#define CF_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Values worth trying for 32-bit protocol fields: edges of RFC 9113
 * ranges (windows, frame sizes, stream ids) and ordinary values. */
static uint32_t cf_pick_u32(uint8_t choice) {
  static const uint32_t values[] = {0,
                                    1,
                                    2,
                                    100,
                                    4096,
                                    16383,
                                    16384,
                                    16385,
                                    65535,
                                    65536,
                                    1u << 20,
                                    16777215,
                                    16777216,
                                    0x7fffffffu,
                                    0x80000000u,
                                    0xffffffffu,
                                    0x7fffffffu - 65535,
                                    0x7ffffffeu,
                                    10,
                                    3};
  if (choice < 200)
    return values[choice % CF_COUNT(values)];
  return (uint32_t)choice * 997u;
}

#endif
