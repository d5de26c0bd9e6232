/* RFC 7541 §5.1: integers with an N-bit prefix. The one-octet case is
 * inline; longer values go through the out-of-line functions. */
#ifndef H2E_HPACK_INT_H
#define H2E_HPACK_INT_H

#include <stddef.h>
#include <stdint.h>

/* RFC 7541 §5.1 leaves the limit to us (§7.4 asks for one): values fit 32
 * bits, so an integer is the prefix octet and at most 5 continuation
 * octets (35 bits). A sixth continuation octet is rejected even if it only
 * adds zeros, which keeps an unconsumed integer short. */
#define H2E_HPACK_INT_MAX_LEN 6

/* h2e_hpack_int_decode results besides the octet count. */
#define H2E_HPACK_INT_INCOMPLETE 0
#define H2E_HPACK_INT_INVALID    (-1)

int h2e_hpack_int_decode_long(const uint8_t *p, const uint8_t *end,
                              uint32_t prefix_max, uint32_t *value);
size_t h2e_hpack_int_encode_long(uint8_t *dst, uint8_t first_octet,
                                 uint32_t prefix_max, uint32_t value);

/* Decodes the integer whose prefix is the low prefix_bits of p[0]
 * (p < end). Returns the octets it takes, H2E_HPACK_INT_INCOMPLETE when
 * the input ends first, or H2E_HPACK_INT_INVALID when it does not fit 32
 * bits or is longer than H2E_HPACK_INT_MAX_LEN. */
static inline int h2e_hpack_int_decode(const uint8_t *p, const uint8_t *end,
                                       unsigned prefix_bits, uint32_t *value) {
  uint32_t prefix_max = (1u << prefix_bits) - 1;
  uint32_t prefix = p[0] & prefix_max;
  if (prefix < prefix_max) {
    *value = prefix;
    return 1;
  }
  return h2e_hpack_int_decode_long(p + 1, end, prefix_max, value);
}

/* Writes value with a prefix_bits prefix; the bits above the prefix come
 * from pattern. dst needs room for H2E_HPACK_INT_MAX_LEN octets. Returns
 * the octets written. */
static inline size_t h2e_hpack_int_encode(uint8_t *dst, uint8_t pattern,
                                          unsigned prefix_bits,
                                          uint32_t value) {
  uint32_t prefix_max = (1u << prefix_bits) - 1;
  if (value < prefix_max) {
    dst[0] = (uint8_t)(pattern | value);
    return 1;
  }
  return h2e_hpack_int_encode_long(dst, (uint8_t)(pattern | prefix_max),
                                   prefix_max, value);
}

#endif
