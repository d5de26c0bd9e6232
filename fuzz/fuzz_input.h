/* Reading a fuzz input as a stream of choices and byte strings. Past the
 * end every read gives zeros or empty strings, so any input is usable. */
#ifndef H2E_FUZZ_INPUT_H
#define H2E_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_input {
  const uint8_t *data;
  size_t len;
} fuzz_input;

static inline uint8_t fuzz_byte(fuzz_input *in) {
  if (in->len == 0)
    return 0;
  in->len--;
  return *in->data++;
}

static inline uint32_t fuzz_u16(fuzz_input *in) {
  uint32_t high = fuzz_byte(in);
  return high << 8 | fuzz_byte(in);
}

/* Takes up to n bytes; returns how many were taken. */
static inline size_t fuzz_take(fuzz_input *in, size_t n, const uint8_t **out) {
  if (n > in->len)
    n = in->len;
  *out = in->data;
  in->data += n;
  in->len -= n;
  return n;
}

/* Feeding a block of len bytes in fragments of this many bytes (0: all at
 * once), as HEADERS and CONTINUATION frames would cut it. At most about 64
 * fragments: a representation cut again and again is parsed from its
 * start each time, so tiny fragments of a big block would cost O(len^2). */
static inline size_t fuzz_fragment_size(uint8_t choice, size_t len) {
  static const size_t sizes[8] = {0, 1, 2, 3, 5, 8, 13, 64};
  size_t size = sizes[choice & 7];
  return size == 0 || size > len / 64 ? size : len / 64;
}

/* Table sizes to pick from: edges and the usual values (RFC 7541 §4.2,
 * SETTINGS_HEADER_TABLE_SIZE). */
static inline uint32_t fuzz_table_size(uint8_t choice) {
  static const uint32_t sizes[13] = {0,    1,    32,   33,   64,    100,  256,
                                     1024, 4096, 4097, 8192, 16384, 65536};
  return choice < 240 ? sizes[choice % 13] : (uint32_t)choice * 16;
}

#endif
