/* RFC 7541 §5.1: integers that overflow their prefix. */
#include "hpack_int.h"

/* p points past the prefix octet. */
int h2e_hpack_int_decode_long(const uint8_t *p, const uint8_t *end,
                              uint32_t prefix_max, uint32_t *value) {
  uint64_t sum = prefix_max;
  for (unsigned shift = 0; shift < 7 * (H2E_HPACK_INT_MAX_LEN - 1);
       shift += 7, p++) {
    if (p == end)
      return H2E_HPACK_INT_INCOMPLETE;
    sum += (uint64_t)(*p & 0x7f) << shift;
    if ((*p & 0x80) == 0) {
      if (sum > UINT32_MAX)
        return H2E_HPACK_INT_INVALID;
      *value = (uint32_t)sum;
      return (int)(shift / 7 + 2);
    }
  }
  return H2E_HPACK_INT_INVALID;
}

size_t h2e_hpack_int_encode_long(uint8_t *dst, uint8_t first_octet,
                                 uint32_t prefix_max, uint32_t value) {
  size_t len = 0;
  dst[len++] = first_octet;
  value -= prefix_max;
  while (value >= 0x80) {
    dst[len++] = (uint8_t)(0x80 | (value & 0x7f));
    value >>= 7;
  }
  dst[len++] = (uint8_t)value;
  return len;
}
