/* h2e — standalone HPACK codec (RFC 7541).
 *
 * The connection engine uses this codec; it is also usable on its own.
 * All memory comes from the caller's allocator at creation; encoding and
 * decoding never allocate.
 */
#ifndef H2E_HPACK_H
#define H2E_HPACK_H

#include "h2e_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field flags. */
enum {
  /* RFC 7541 §6.2.3: never indexed. Kept on decoded fields; honoured on
   * encode (the field is sent as a never-indexed literal). */
  H2E_FIELD_NEVER_INDEX = 0x1,
  /* Encode only: don't add this field to the dynamic table. */
  H2E_FIELD_NO_INDEX = 0x2
};

/* One header field. Names and values are byte strings, not NUL-terminated. */
typedef struct h2e_field {
  const uint8_t *name;
  const uint8_t *value;
  uint32_t name_len;
  uint32_t value_len;
  uint32_t flags; /* H2E_FIELD_* */
} h2e_field;

/* ---- decoder ---------------------------------------------------------- */

typedef struct h2e_hpack_decoder h2e_hpack_decoder;

typedef struct h2e_hpack_decoder_config {
  /* The SETTINGS_HEADER_TABLE_SIZE we advertise: the largest dynamic table
   * size update the peer may send (RFC 7541 §4.2). Default 4096. */
  uint32_t max_table_size;
  /* RFC 9113 §6.5.2 semantics: the sum over decoded fields of name length
   * + value length + 32. Default 65536. */
  uint32_t max_header_list_size;
} h2e_hpack_decoder_config;

H2E_API void h2e_hpack_decoder_config_init(h2e_hpack_decoder_config *config);

/* Returns NULL when the allocator fails or the config is unusable. */
H2E_API h2e_hpack_decoder *
h2e_hpack_decoder_new(const h2e_hpack_decoder_config *config,
                      const h2e_allocator *allocator);
H2E_API void h2e_hpack_decoder_free(h2e_hpack_decoder *decoder);

/* Changes the advertised table size limit (after the peer ACKed our
 * SETTINGS). RFC 7541 §4.2: if it shrinks below the current table size,
 * the peer must send a size update at the start of its next block, and
 * a block without one is a COMPRESSION_ERROR. */
H2E_API void h2e_hpack_decoder_set_max_table_size(h2e_hpack_decoder *decoder,
                                                  uint32_t max_table_size);

/* Where decoded fields go: names and values are copied into buf (static
 * table strings are referenced, not copied), and described in fields.
 * Both belong to the caller and must outlive the use of the fields. */
typedef struct h2e_hpack_output {
  uint8_t *buf;
  size_t buf_cap;
  h2e_field *fields;
  size_t fields_cap;
  size_t count;        /* fields decoded so far */
  size_t buf_used;     /* bytes of buf used so far */
  size_t list_size;    /* RFC 9113 §6.5.2 size of the fields so far */
} h2e_hpack_output;

/* Starts a header block; resets out->count, out->buf_used, out->list_size. */
H2E_API void h2e_hpack_decode_begin(h2e_hpack_decoder *decoder,
                                    h2e_hpack_output *out);

/* Decodes the complete representations in in[0..len) into the output given
 * to h2e_hpack_decode_begin. Returns the bytes consumed; a representation
 * cut at the end of the input is left unconsumed, and the caller passes
 * those bytes again followed by the block's next fragment. `last` says the
 * input ends the block (END_HEADERS): then everything must be consumed.
 *
 * Errors: H2E_ERR_COMPRESSION (RFC 7541 violation; the decoder is now
 * unusable: RFC 9113 §4.3 makes it a connection error), and, only once the
 * last fragment is done, H2E_ERR_HEADER_LIST_TOO_LARGE when the fields
 * exceeded max_header_list_size or the output space. In that case the
 * block was still fully processed, so the dynamic table stays in sync
 * (RFC 9113 §10.5.1) and the decoder stays usable; the fields are not
 * delivered. A single string too long to ever fit is H2E_ERR_COMPRESSION. */
H2E_API ptrdiff_t h2e_hpack_decode(h2e_hpack_decoder *decoder,
                                   const uint8_t *in, size_t len, int last);

/* ---- encoder ---------------------------------------------------------- */

typedef struct h2e_hpack_encoder h2e_hpack_encoder;

/* Which fields the encoder adds to its dynamic table. */
typedef enum h2e_hpack_index_policy {
  /* Index everything except fields that rarely repeat (:path, age,
   * content-length, etag, if-modified-since, if-none-match, location,
   * set-cookie), fields too large for the table, and sensitive ones. */
  H2E_HPACK_INDEX_DEFAULT = 0,
  H2E_HPACK_INDEX_NONE, /* never add to the table */
  H2E_HPACK_INDEX_ALL   /* add everything that fits (sensitive excepted) */
} h2e_hpack_index_policy;

typedef struct h2e_hpack_encoder_config {
  /* Upper bound of the dynamic table we keep, whatever the peer allows
   * (its SETTINGS_HEADER_TABLE_SIZE is capped at this). Default 4096. */
  uint32_t max_table_size;
  h2e_hpack_index_policy index_policy;
  /* Sensitive fields sent never-indexed by default (RFC 7541 §7.1.3):
   * authorization, proxy-authorization, and cookie values shorter than
   * this many bytes. Default 20; 0 turns the cookie rule off. */
  uint32_t never_index_cookie_below;
} h2e_hpack_encoder_config;

H2E_API void h2e_hpack_encoder_config_init(h2e_hpack_encoder_config *config);
H2E_API h2e_hpack_encoder *
h2e_hpack_encoder_new(const h2e_hpack_encoder_config *config,
                      const h2e_allocator *allocator);
H2E_API void h2e_hpack_encoder_free(h2e_hpack_encoder *encoder);

/* The peer's SETTINGS_HEADER_TABLE_SIZE changed (RFC 7541 §4.2): the next
 * block starts with the size update(s), the smallest value reached and
 * then the final one when the size shrank and grew again. */
H2E_API void h2e_hpack_encoder_set_peer_table_size(h2e_hpack_encoder *encoder,
                                                   uint32_t size);

/* Worst-case encoded size of fields[0..count), size updates included. */
H2E_API size_t h2e_hpack_encode_bound(const h2e_hpack_encoder *encoder,
                                      const h2e_field *fields, size_t count);

/* Encodes one header block into out[0..cap). Returns the bytes written, or
 * H2E_ERR_BUFFER_TOO_SMALL when cap is below h2e_hpack_encode_bound (the
 * encoder is then unchanged). */
H2E_API ptrdiff_t h2e_hpack_encode(h2e_hpack_encoder *encoder,
                                   const h2e_field *fields, size_t count,
                                   uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* H2E_HPACK_H */
