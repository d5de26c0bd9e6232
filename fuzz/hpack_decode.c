/* Fuzz target: the HPACK decoder on arbitrary bytes.
 *
 * Input: six control bytes, then the header blocks.
 *   [0] bits 0-1: blocks - 1 (1 to 4); bits 2-4: fragment size;
 *       bits 5-7: before block 1, 2, 3, read one byte b and set the
 *       advertised table size to b * 64 (RFC 7541 §4.2 changes)
 *   [1..2] max table size; [3] header list limit (b * 64, 0xff: the
 *       default); [4] output buffer bytes beyond the table size, which is
 *       the least h2e takes (b * 32, 0xff: 64 KiB); [5] output field slots
 *       (b % 128)
 * Each block but the last is preceded by its length byte; the last block
 * takes the rest. All blocks go through one decoder.
 *
 * Checks: no crash, leak or out-of-bounds access (ASan, UBSan); the
 * output buffers are allocated at exactly their capacity so an overrun is
 * caught; only documented error codes; never more memory live than
 * h2e_hpack_decoder_memsize (the bound a connection's accounting uses,
 * reached while the table grows); the decoder stays usable after
 * H2E_ERR_HEADER_LIST_TOO_LARGE; a successful block respects every limit and
 * its fields are readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_alloc.h"
#include "fuzz_input.h"
#include "h2e_hpack.h"
#include "hpack_inspect.h"

#define MAX_BLOCKS     4
#define ENTRY_OVERHEAD 32 /* RFC 7541 §4.1, RFC 9113 §6.5.2 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why) {
  fprintf(stderr, "hpack_decode: %s\n", why);
  abort();
}

typedef struct decode_limits {
  uint32_t max_header_list_size;
  uint8_t fragment_choice; /* fuzz_fragment_size() */
} decode_limits;

/* Reads every byte of every field (ASan checks the pointers) and checks
 * the output bookkeeping against the limits. */
static void check_output(const h2e_hpack_output *out,
                         const decode_limits *limits) {
  size_t list_size = 0;
  unsigned checksum = 0;
  if (out->count > out->fields_cap || out->buf_used > out->buf_cap)
    fail("output bookkeeping beyond capacity");
  for (size_t i = 0; i < out->count; i++) {
    const h2e_field *field = &out->fields[i];
    for (uint32_t k = 0; k < field->name_len; k++)
      checksum += field->name[k];
    for (uint32_t k = 0; k < field->value_len; k++)
      checksum += field->value[k];
    list_size += (size_t)field->name_len + field->value_len + ENTRY_OVERHEAD;
  }
  (void)checksum;
  if (list_size != out->list_size)
    fail("list_size is not the RFC 9113 §6.5.2 sum");
  if (list_size > limits->max_header_list_size)
    fail("fields delivered beyond max_header_list_size");
}

/* Decodes one block, in fragments when asked. Returns the h2e result. */
static ptrdiff_t decode_block(h2e_hpack_decoder *decoder, h2e_hpack_output *out,
                              const uint8_t *block, size_t len,
                              size_t fragment) {
  size_t start = 0, end = 0;
  h2e_hpack_decode_begin(decoder, out);
  if (out->count != 0 || out->buf_used != 0 || out->list_size != 0)
    fail("decode_begin did not reset the output");
  do {
    end = fragment == 0 || len - end < fragment ? len : end + fragment;
    ptrdiff_t consumed =
        h2e_hpack_decode(decoder, block + start, end - start, end == len);
    if (consumed < 0)
      return consumed;
    if ((size_t)consumed > end - start)
      fail("consumed more than given");
    start += (size_t)consumed;
  } while (end < len);
  if (start != len)
    fail("the last fragment was accepted but not consumed");
  return 0;
}

/* Returns 0 to go on with the next block, -1 when the decoder is done. */
static int run_block(h2e_hpack_decoder *decoder, h2e_hpack_output *out,
                     const uint8_t *block, size_t len,
                     const decode_limits *limits) {
  ptrdiff_t rv = decode_block(decoder, out, block, len,
                              fuzz_fragment_size(limits->fragment_choice, len));
  switch (rv) {
  case 0:
    check_output(out, limits);
    return 0;
  case H2E_ERR_HEADER_LIST_TOO_LARGE:
    return 0; /* the table stayed in sync: the decoder goes on */
  case H2E_ERR_COMPRESSION:
  case H2E_ERR_NOMEM: /* the table could not grow (malloc failed) */
    return -1; /* RFC 9113 §4.3: a connection error; the decoder is dead */
  default:
    fail("undocumented decode result");
    return -1;
  }
}

static size_t output_bytes(uint8_t choice) {
  return choice == 0xff ? 65536 : (size_t)choice * 32;
}

/* RFC 7541 §4.2: a new advertised limit. h2e takes any value up to the
 * size its table was created for, and refuses larger ones untouched. */
static void change_table_size(h2e_hpack_decoder *decoder, uint32_t created,
                              uint32_t size) {
  int rv = h2e_hpack_decoder_set_max_table_size(decoder, size);
  if (rv != (size <= created ? H2E_OK : H2E_ERR_INVALID_ARG))
    fail("set_max_table_size gave an unexpected result");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_input in = {data, size};
  uint8_t shape = fuzz_byte(&in);
  size_t blocks = 1 + (shape & 3u);
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = fuzz_u16(&in);
  uint8_t list_choice = fuzz_byte(&in);
  if (list_choice != 0xff)
    config.max_header_list_size = (uint32_t)list_choice * 64;
  decode_limits limits = {config.max_header_list_size, (uint8_t)(shape >> 2)};
  h2e_hpack_output out = {0};
  out.buf_cap = config.max_table_size + output_bytes(fuzz_byte(&in));
  out.fields_cap = fuzz_byte(&in) % 128u;
  /* Exactly the capacity, so ASan sees a single byte written past it. */
  out.buf = malloc(out.buf_cap);
  out.fields = malloc(out.fields_cap * sizeof *out.fields);

  fuzz_alloc_state alloc_state;
  h2e_allocator allocator = fuzz_allocator(&alloc_state);
  alloc_state.limit = h2e_hpack_decoder_memsize(config.max_table_size);
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, &allocator);
  for (size_t k = 0; decoder != NULL && k < blocks; k++) {
    if (k > 0 && (shape >> (4 + k) & 1u))
      change_table_size(decoder, config.max_table_size,
                        (uint32_t)fuzz_byte(&in) * 64);
    const uint8_t *block;
    size_t len =
        fuzz_take(&in, k + 1 < blocks ? fuzz_byte(&in) : in.len, &block);
    int go_on = run_block(decoder, &out, block, len, &limits);
    if (go_on != 0)
      break;
  }
  if (decoder != NULL)
    h2e_hpack_decoder_free(decoder);
  fuzz_alloc_expect_all_freed(&alloc_state);
  free(out.buf);
  free(out.fields);
  return 0;
}
