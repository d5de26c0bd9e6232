/* Fuzz target: differential HPACK decoding, h2e against libnghttp2.
 *
 * The same header blocks go into an h2e decoder and a libnghttp2 inflater
 * that share a history (both start at the RFC 7541 default table of 4096
 * and see the same SETTINGS_HEADER_TABLE_SIZE changes). For each block,
 * either both accept and give the same fields (names, values and the
 * never-indexed mark, in order), or both reject it.
 *
 * Input: [0] blocks - 1 (low 2 bits). Then for each block a control byte
 * whose low 2 bits count the SETTINGS_HEADER_TABLE_SIZE changes made
 * before it, one byte each (fuzz_table_size); then, except for the last
 * block, its length byte; then the block. The last block takes the rest.
 *
 * After a rejection both decoders are unusable (RFC 9113 §4.3), so the
 * run ends there.
 *
 * Legitimate differences, carved out:
 * - Header list size: nghttp2's inflater has no limit, and h2e's is set
 *   to its maximum. When h2e still reports H2E_ERR_HEADER_LIST_TOO_LARGE
 *   it ran out of the output space we gave it, a local resource limit and
 *   not a protocol judgement: then only nghttp2's acceptance is checked
 *   (h2e processed the whole block, so both tables stay in step).
 * - String length: nghttp2 refuses strings over 64 KiB (NGHTTP2_HD_MAX_NV);
 *   inputs long enough to hold one are skipped.
 * - Table size: nghttp2's inflater always starts at 4096 and h2e's table
 *   memory is fixed at creation, so both are created for 4096 and larger
 *   limits are clamped to it (a harness constraint, not a difference).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "fuzz_input.h"
#include "h2e_hpack.h"

#define DEFAULT_TABLE_SIZE 4096
#define OUTPUT_BUF_BYTES   (256u << 10)
#define OUTPUT_FIELDS      4096
/* No string can reach NGHTTP2_HD_MAX_NV (65536) when decoded: Huffman
 * expands at most 8/5. */
#define MAX_INPUT 32768

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, size_t block, size_t field) {
  fprintf(stderr, "hpack_diff: %s (block %zu, field %zu)\n", why, block, field);
  abort();
}

/* ---- the two decoders ------------------------------------------------- */

typedef struct decoders {
  h2e_hpack_decoder *h2e;
  nghttp2_hd_inflater *nghttp2;
  h2e_hpack_output out;
} decoders;

typedef enum verdict { ACCEPTED, REJECTED, OUT_OF_SPACE } verdict;

static verdict h2e_verdict(decoders *d, const uint8_t *block, size_t len) {
  h2e_hpack_decode_begin(d->h2e, &d->out);
  ptrdiff_t rv = h2e_hpack_decode(d->h2e, block, len, 1);
  if (rv == (ptrdiff_t)len)
    return ACCEPTED;
  if (rv == H2E_ERR_HEADER_LIST_TOO_LARGE)
    return OUT_OF_SPACE;
  if (rv != H2E_ERR_COMPRESSION)
    fail("h2e gave an undocumented result", 0, 0);
  return REJECTED;
}

/* Runs nghttp2 over the block; when h2e accepted it, each field nghttp2
 * emits must be h2e's next one. */
static verdict nghttp2_verdict(decoders *d, const uint8_t *block, size_t len,
                               int compare, size_t block_no) {
  size_t emitted = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t consumed =
        nghttp2_hd_inflate_hd2(d->nghttp2, &nv, &flags, block, len, 1);
    if (consumed < 0)
      return REJECTED;
    block += consumed;
    len -= (size_t)consumed;
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) && compare) {
      if (emitted >= d->out.count)
        fail("nghttp2 decoded more fields than h2e", block_no, emitted);
      const h2e_field *f = &d->out.fields[emitted];
      int never = (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0;
      if (f->name_len != nv.namelen || f->value_len != nv.valuelen ||
          memcmp(f->name, nv.name, nv.namelen) != 0 ||
          memcmp(f->value, nv.value, nv.valuelen) != 0 ||
          ((f->flags & H2E_FIELD_NEVER_INDEX) != 0) != never)
        fail("the decoders disagree on a field", block_no, emitted);
    }
    emitted += (flags & NGHTTP2_HD_INFLATE_EMIT) != 0;
    if (flags & NGHTTP2_HD_INFLATE_FINAL)
      break;
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      return REJECTED;
  }
  nghttp2_hd_inflate_end_headers(d->nghttp2);
  if (compare && emitted != d->out.count)
    fail("h2e decoded more fields than nghttp2", block_no, emitted);
  return ACCEPTED;
}

/* Both start at 4096 (nghttp2 cannot start elsewhere), and h2e's table is
 * allocated for that, so limits above it are clamped. */
static void change_table_size(decoders *d, uint32_t size) {
  if (size > DEFAULT_TABLE_SIZE)
    size = DEFAULT_TABLE_SIZE;
  if (h2e_hpack_decoder_set_max_table_size(d->h2e, size) != H2E_OK)
    fail("h2e_hpack_decoder_set_max_table_size failed", 0, 0);
  if (nghttp2_hd_inflate_change_table_size(d->nghttp2, size) != 0)
    fail("nghttp2_hd_inflate_change_table_size failed", 0, 0);
}

/* Returns 0 to go on with the next block, -1 to stop. */
static int run_block(decoders *d, const uint8_t *block, size_t len,
                     size_t block_no) {
  verdict h2e = h2e_verdict(d, block, len);
  verdict nghttp2 = nghttp2_verdict(d, block, len, h2e == ACCEPTED, block_no);
  if (h2e == nghttp2)
    return h2e == ACCEPTED ? 0 : -1;
  if (h2e == OUT_OF_SPACE && nghttp2 == ACCEPTED)
    return 0; /* carve-out: our output space, not the protocol */
  fail(h2e == ACCEPTED ? "h2e accepts a block nghttp2 rejects"
                       : "h2e rejects a block nghttp2 accepts",
       block_no, 0);
  return -1;
}

static void open_decoders(decoders *d) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = DEFAULT_TABLE_SIZE;
  config.max_header_list_size = UINT32_MAX;
  memset(d, 0, sizeof *d);
  d->h2e = h2e_hpack_decoder_new(&config, NULL);
  d->out.buf = malloc(OUTPUT_BUF_BYTES);
  d->out.buf_cap = OUTPUT_BUF_BYTES;
  d->out.fields = malloc(OUTPUT_FIELDS * sizeof *d->out.fields);
  d->out.fields_cap = OUTPUT_FIELDS;
  if (d->h2e == NULL || d->out.buf == NULL || d->out.fields == NULL ||
      nghttp2_hd_inflate_new(&d->nghttp2) != 0)
    fail("cannot create the decoders", 0, 0);
}

static void close_decoders(decoders *d) {
  h2e_hpack_decoder_free(d->h2e);
  nghttp2_hd_inflate_del(d->nghttp2);
  free(d->out.buf);
  free(d->out.fields);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  decoders d;
  if (size > MAX_INPUT)
    return 0; /* carve-out: nghttp2's 64 KiB string limit */
  size_t blocks = 1 + (fuzz_byte(&in) & 3u);
  open_decoders(&d);
  for (size_t k = 0; k < blocks; k++) {
    for (unsigned changes = fuzz_byte(&in) & 3u; changes > 0; changes--)
      change_table_size(&d, fuzz_table_size(fuzz_byte(&in)));
    const uint8_t *block;
    size_t len =
        fuzz_take(&in, k + 1 < blocks ? fuzz_byte(&in) : in.len, &block);
    if (run_block(&d, block, len, k) != 0)
      break;
  }
  close_decoders(&d);
  return 0;
}
