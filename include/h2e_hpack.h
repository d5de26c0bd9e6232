/* h2e — standalone HPACK codec (RFC 7541).
 *
 * The connection engine uses this codec; it is also usable on its own.
 * All memory comes from the caller's allocator. A dynamic table holds
 * memory in proportion to its content: it starts with room for a few
 * entries and doubles when an entry does not fit, up to what the
 * configured max_table_size needs, so coding allocates only the few times
 * a table grows (and an entry of a block past the header list limit is
 * decoded in memory taken for the while). A table that must stay empty
 * (maximum size 0) gives its memory back.
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
   * size update the peer may send (RFC 7541 §4.2). Default 4096; at most
   * 2^30. Until the peer sends an update, the table's maximum size is
   * min(4096, this): 4096 is where the peer's encoder starts (the initial
   * SETTINGS_HEADER_TABLE_SIZE, RFC 9113 §6.5.2).
   *
   * The table's memory grows up to this size, which is therefore also the
   * most h2e_hpack_decoder_set_max_table_size accepts later. The
   * peer may use 4096 until it has our SETTINGS, so a connection that
   * advertises less creates the decoder with 4096 and lowers the limit once
   * the SETTINGS are ACKed. */
  uint32_t max_table_size;
  /* RFC 9113 §6.5.2 semantics: the sum over decoded fields of name length
   * + value length + 32. Default 65536. */
  uint32_t max_header_list_size;
} h2e_hpack_decoder_config;

H2E_API void h2e_hpack_decoder_config_init(h2e_hpack_decoder_config *config);

/* Takes under 500 octets (on 64-bit hosts): the decoder and its table's
 * first storage; the table grows later as entries need, holding its old
 * and new storage at once while it does. Returns NULL when the allocator
 * fails or the config is unusable. */
H2E_API h2e_hpack_decoder *
h2e_hpack_decoder_new(const h2e_hpack_decoder_config *config,
                      const h2e_allocator *allocator);
H2E_API void h2e_hpack_decoder_free(h2e_hpack_decoder *decoder);

/* Changes the advertised table size limit (after the peer ACKed our
 * SETTINGS). RFC 7541 §4.2: if it is below the table's current maximum
 * size (the last size the peer signalled, or the initial one), the peer
 * must open its very next block with a size update, the first one within
 * the smallest limit set since; a field before it, a block without it or
 * a larger first update is a COMPRESSION_ERROR. The table itself changes only
 * with the peer's updates. Returns H2E_OK, or H2E_ERR_INVALID_ARG (nothing
 * changed) above the max_table_size the decoder was created with. */
H2E_API int h2e_hpack_decoder_set_max_table_size(h2e_hpack_decoder *decoder,
                                                 uint32_t max_table_size);

/* Where decoded fields go: names and values are copied into buf (static
 * table strings are referenced, not copied), and described in fields.
 * Both belong to the caller and must outlive the use of the fields. Size
 * buf for max_header_list_size to get every field the limit allows; a
 * smaller output only makes big blocks H2E_ERR_HEADER_LIST_TOO_LARGE. */
typedef struct h2e_hpack_output {
  uint8_t *buf;
  size_t buf_cap;
  h2e_field *fields;
  size_t fields_cap;
  size_t count;     /* fields decoded so far */
  size_t buf_used;  /* bytes of buf used so far */
  size_t list_size; /* RFC 9113 §6.5.2 size of the fields so far; past
                       the limit, it only says the limit was passed */
} h2e_hpack_output;

/* Starts a header block; resets out->count, out->buf_used, out->list_size. */
H2E_API void h2e_hpack_decode_begin(h2e_hpack_decoder *decoder,
                                    h2e_hpack_output *out);

/* Decodes the complete representations in in[0..len) into the output given
 * to h2e_hpack_decode_begin. Returns the bytes consumed; a representation
 * cut at the end of the input is left unconsumed, and the caller passes
 * those bytes again followed by the block's next fragment. `last` says the
 * input ends the block (END_HEADERS): then everything must be consumed,
 * and the next block needs h2e_hpack_decode_begin again.
 *
 * A string literal longer than max(max_header_list_size, max_table_size)
 * octets on the wire can never fit and is H2E_ERR_COMPRESSION as soon as
 * its length is read, so the unconsumed tail a caller holds is at most one
 * representation: 2 such strings plus 18 octets of integers.
 *
 * Errors: H2E_ERR_COMPRESSION (RFC 7541 violation; the decoder is now
 * unusable: RFC 9113 §4.3 makes it a connection error), H2E_ERR_NOMEM (the
 * allocator refused memory for the table to grow: the table is no longer
 * in step with the peer's, so the decoder is unusable too; a connection
 * makes it an INTERNAL_ERROR), and, only once the
 * last fragment is done, H2E_ERR_HEADER_LIST_TOO_LARGE when the fields
 * exceeded max_header_list_size or the output space (fields_cap, buf_cap).
 * In that case the block was still fully processed, so the dynamic table
 * stays in sync (RFC 9113 §10.5.1) and the decoder stays usable; the
 * fields are not delivered (out->fields and out->buf hold leftovers).
 * Once over the limit, nothing more is delivered: later fields cost their
 * parsing, plus decoding the strings of those that enter the table (at
 * most the table size each); the Huffman strings of the others are skipped
 * undecoded. So a block that expands through references (an HPACK bomb)
 * costs work and memory in proportion to its length and the limit, not to
 * what it expands to. H2E_ERR_INVALID_ARG: no block begun. */
H2E_API ptrdiff_t h2e_hpack_decode(h2e_hpack_decoder *decoder,
                                   const uint8_t *in, size_t len, int last);

/* ---- encoder ---------------------------------------------------------- */

typedef struct h2e_hpack_encoder h2e_hpack_encoder;

/* Which fields the encoder adds to its dynamic table. Whatever the policy,
 * a field that is already in a table is sent as an index (RFC 7541 §6.1)
 * unless it is sensitive, and H2E_FIELD_NO_INDEX and sensitive fields are
 * never added. */
typedef enum h2e_hpack_index_policy {
  /* Index everything except fields that rarely repeat (:path, age,
   * content-length, etag, if-modified-since, if-none-match, location,
   * set-cookie) and entries larger than 3/4 of the table, which would
   * flush most of it (the same choices as nghttp2's deflater). */
  H2E_HPACK_INDEX_DEFAULT = 0,
  H2E_HPACK_INDEX_NONE, /* never add to the table */
  H2E_HPACK_INDEX_ALL   /* add every entry that fits the table */
} h2e_hpack_index_policy;

/* When the encoder Huffman-codes a string literal (RFC 7541 §5.2). */
typedef enum h2e_hpack_huffman_policy {
  H2E_HPACK_HUFFMAN_SHORTER = 0, /* when the code is shorter (default) */
  H2E_HPACK_HUFFMAN_NEVER,       /* never: every string as is */
  /* Always, even when not shorter (as RFC 7541 Appendix C.4 and C.6 do). */
  H2E_HPACK_HUFFMAN_ALWAYS
} h2e_hpack_huffman_policy;

typedef struct h2e_hpack_encoder_config {
  /* Upper bound of the dynamic table we keep, whatever the peer allows
   * (its SETTINGS_HEADER_TABLE_SIZE is capped at this; the table's memory
   * grows up to it). Default 4096; at most 2^30. The table starts
   * at min(4096, this), 4096 being the peer's initial setting (RFC 9113
   * §6.5.2); when that is less than 4096, the first block opens with a
   * size update saying so (RFC 7541 §4.2). */
  uint32_t max_table_size;
  h2e_hpack_index_policy index_policy;
  /* Sensitive fields sent never-indexed by default (RFC 7541 §7.1.3):
   * authorization, proxy-authorization, and cookie values shorter than
   * this many bytes. Default 20; 0 turns the cookie rule off. */
  uint32_t never_index_cookie_below;
  h2e_hpack_huffman_policy huffman;
} h2e_hpack_encoder_config;

H2E_API void h2e_hpack_encoder_config_init(h2e_hpack_encoder_config *config);
/* Takes under 1 KB (on 64-bit hosts): the encoder and its table's and
 * index's first storage, which grow later as entries need. Returns NULL
 * when the allocator fails or the config is unusable. */
H2E_API h2e_hpack_encoder *
h2e_hpack_encoder_new(const h2e_hpack_encoder_config *config,
                      const h2e_allocator *allocator);
H2E_API void h2e_hpack_encoder_free(h2e_hpack_encoder *encoder);

/* The peer's SETTINGS_HEADER_TABLE_SIZE changed (RFC 7541 §4.2). Our
 * table's maximum becomes min(size, config max_table_size), evicting at
 * once, and the next block starts with the size update(s): the smallest
 * maximum reached since the last block when it went below both the last
 * signalled and the final one, then the final one. Nothing is sent when
 * the maximum ends where it was without dipping. */
H2E_API void h2e_hpack_encoder_set_peer_table_size(h2e_hpack_encoder *encoder,
                                                   uint32_t size);

/* Worst-case encoded size of fields[0..count), size updates included:
 * the sum of name_len + value_len + 18 over the fields (with
 * H2E_HPACK_HUFFMAN_ALWAYS, each length times 30/8, rounded up), plus 12
 * when a size update is pending; saturating at SIZE_MAX. */
H2E_API size_t h2e_hpack_encode_bound(const h2e_hpack_encoder *encoder,
                                      const h2e_field *fields, size_t count);

/* Encodes one header block into out[0..cap). Returns the bytes written, or
 * H2E_ERR_BUFFER_TOO_SMALL when cap is below h2e_hpack_encode_bound (the
 * encoder is then unchanged). Allocates only to grow the dynamic table;
 * when the allocator refuses, the field that needed it is sent without
 * indexing (RFC 7541 §6.2.2), so encoding never fails for want of
 * memory. */
H2E_API ptrdiff_t h2e_hpack_encode(h2e_hpack_encoder *encoder,
                                   const h2e_field *fields, size_t count,
                                   uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* H2E_HPACK_H */
