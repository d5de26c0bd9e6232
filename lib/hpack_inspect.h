/* Read-only views of the HPACK codecs' dynamic tables, for tests and
 * diagnostics. */
#ifndef H2E_HPACK_INSPECT_H
#define H2E_HPACK_INSPECT_H

#include "h2e_hpack.h"
#include "hpack_index.h"
#include "hpack_table.h"

const h2e_hpack_table *
h2e_hpack_decoder_table(const h2e_hpack_decoder *decoder);
const h2e_hpack_table *
h2e_hpack_encoder_table(const h2e_hpack_encoder *encoder);
const h2e_hpack_index *
h2e_hpack_encoder_index(const h2e_hpack_encoder *encoder);

#endif
