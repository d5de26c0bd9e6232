/* RFC 7541 §2.3.1 and Appendix A: the static table, and name lookups in it
 * for the encoder. The data is generated (lib/hpack_static_table.c). */
#ifndef H2E_HPACK_STATIC_H
#define H2E_HPACK_STATIC_H

#include "h2e_hpack.h"

#define H2E_HPACK_STATIC_COUNT 61
#define H2E_HPACK_STATIC_SLOTS 128

/* Entries 1..61 as fields (flags 0); the decoder hands these out as they
 * are, so static strings are referenced, never copied. */
extern const h2e_field h2e_hpack_static_table[H2E_HPACK_STATIC_COUNT + 1];

typedef struct h2e_hpack_static_slot {
  uint32_t name_hash;
  uint8_t index; /* first entry with the name; 0 for an empty slot */
} h2e_hpack_static_slot;

extern const uint8_t h2e_hpack_static_name_run[H2E_HPACK_STATIC_COUNT + 1];
extern const h2e_hpack_static_slot
    h2e_hpack_static_name_slots[H2E_HPACK_STATIC_SLOTS];

/* Index of the first static entry named name[0..len) (name_hash is its
 * h2e_hpack_hash), or 0 when the static table does not have the name. */
uint32_t h2e_hpack_static_find_name(const uint8_t *name, uint32_t len,
                                    uint32_t name_hash);

/* Index of the static entry with the name whose first entry is name_index
 * and the value value[0..len), or 0. */
uint32_t h2e_hpack_static_find_value(uint32_t name_index, const uint8_t *value,
                                     uint32_t len);

#endif
