/* Internal views of the HPACK codecs: the most memory each takes (for the
 * connection's accounting) and read-only access to their tables, for
 * tests and diagnostics. */
#ifndef H2E_HPACK_INSPECT_H
#define H2E_HPACK_INSPECT_H

#include "h2e_hpack.h"
#include "hpack_index.h"
#include "hpack_table.h"

/* The most octets a decoder or an encoder created for a config's
 * max_table_size holds at once, whatever it codes: its table at full
 * size, the storage it grew from while it moves, and the decoder's room
 * for an undelivered entry (RFC 7541 §4.4 past the header list limit). */
size_t h2e_hpack_decoder_memsize(uint32_t max_table_size);
size_t h2e_hpack_encoder_memsize(uint32_t max_table_size);

const h2e_hpack_table *
h2e_hpack_decoder_table(const h2e_hpack_decoder *decoder);
const h2e_hpack_table *
h2e_hpack_encoder_table(const h2e_hpack_encoder *encoder);
const h2e_hpack_index *
h2e_hpack_encoder_index(const h2e_hpack_encoder *encoder);

#endif
