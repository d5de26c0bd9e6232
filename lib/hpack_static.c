/* RFC 7541 Appendix A: lookups in the static table. */
#include "hpack_static.h"

#include "hpack_hash.h"

static int bytes_equal(const uint8_t *a, uint32_t a_len, const uint8_t *b,
                       uint32_t b_len) {
  return a_len == b_len && h2e_hpack_bytes_equal(a, b, a_len);
}

uint32_t h2e_hpack_static_find_name(const uint8_t *name, uint32_t len,
                                    uint32_t name_hash) {
  uint32_t slot = name_hash & (H2E_HPACK_STATIC_SLOTS - 1);
  for (;;) {
    const h2e_hpack_static_slot *candidate = &h2e_hpack_static_name_slots[slot];
    if (candidate->index == 0)
      return 0;
    const h2e_field *entry = &h2e_hpack_static_table[candidate->index];
    if (candidate->name_hash == name_hash &&
        bytes_equal(entry->name, entry->name_len, name, len))
      return candidate->index;
    slot = (slot + 1) & (H2E_HPACK_STATIC_SLOTS - 1);
  }
}

uint32_t h2e_hpack_static_find_value(uint32_t name_index, const uint8_t *value,
                                     uint32_t len) {
  uint32_t end = name_index + h2e_hpack_static_name_run[name_index];
  for (uint32_t index = name_index; index < end; index++) {
    const h2e_field *entry = &h2e_hpack_static_table[index];
    if (bytes_equal(entry->value, entry->value_len, value, len))
      return index;
  }
  return 0;
}
