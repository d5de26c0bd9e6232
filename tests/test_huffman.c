/* RFC 7541 §5.2 and Appendix B: the HPACK Huffman code (lib/huffman.c).
 *
 * The oracle is the RFC text itself: the tests parse Appendix B, build the
 * code tree and decode bit by bit, then hold the table-driven encoder and
 * decoder against that on fixed, exhaustive and random inputs, valid and
 * invalid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "h2e_base.h"
#include "huffman.h"
#include "huffman_table.h"

#define RFC7541_PATH H2E_SHARED_DIR "/rfc/rfc7541-hpack.txt"
#define SYMBOLS      257
#define EOS          256
#define MAX_STRING   512
/* Room for the encoding of MAX_STRING octets of 30 bits, and some. */
#define MAX_ENCODED (MAX_STRING * 4 + 16)

/* ---- the oracle: Appendix B as printed ---------------------------------- */

typedef struct rfc_code {
  uint32_t code[SYMBOLS]; /* aligned to the least significant bit */
  unsigned bits[SYMBOLS];
  /* The code tree, root at 0: a child >= 0 is a node, -1 - s is symbol s,
   * 0 is not there (the root is nobody's child). */
  int tree[2 * SYMBOLS][2];
  int nodes;
} rfc_code;

/* Parses one row of the Appendix B table, "   'a' ( 97)  |00011   3  [ 5]":
 * a symbol in parentheses, the code as bits, as hex, and its length. */
static int parse_row(const char *line, unsigned *symbol, uint32_t *code,
                     unsigned *bits) {
  for (const char *p = strchr(line, '('); p; p = strchr(p + 1, '(')) {
    char bit_text[64];
    unsigned hex;
    if (sscanf(p, "(%u) |%63s %x [%u", symbol, bit_text, &hex, bits) != 4)
      continue;
    uint32_t value = 0;
    unsigned count = 0;
    for (const char *b = bit_text; *b; b++) {
      if (*b == '|')
        continue;
      value = value << 1 | (uint32_t)(*b == '1');
      count++;
    }
    /* The three columns must agree. */
    assert_int_equal(count, *bits);
    assert_int_equal(value, hex);
    *code = value;
    return 1;
  }
  return 0;
}

static void build_tree(rfc_code *rc) {
  memset(rc->tree, 0, sizeof rc->tree);
  rc->nodes = 1;
  for (int s = 0; s < SYMBOLS; s++) {
    int node = 0;
    for (unsigned i = rc->bits[s]; i-- > 0;) {
      unsigned bit = rc->code[s] >> i & 1;
      int *child = &rc->tree[node][bit];
      if (i == 0) {
        assert_int_equal(*child, 0); /* prefix-free */
        *child = -1 - s;
      } else {
        if (*child == 0) {
          assert_true(rc->nodes < 2 * SYMBOLS);
          *child = rc->nodes++;
        }
        assert_true(*child > 0); /* prefix-free */
        node = *child;
      }
    }
  }
}

static int load_rfc_code(void **state) {
  FILE *file = fopen(RFC7541_PATH, "r");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", RFC7541_PATH);
    return -1;
  }
  rfc_code *rc = calloc(1, sizeof *rc);
  assert_non_null(rc);
  char line[256];
  unsigned rows = 0, symbol, bits;
  uint32_t code;
  while (fgets(line, sizeof line, file)) {
    if (!parse_row(line, &symbol, &code, &bits))
      continue;
    assert_int_equal(symbol, rows); /* 0..256 in order */
    rc->code[symbol] = code;
    rc->bits[symbol] = bits;
    rows++;
  }
  fclose(file);
  assert_int_equal(rows, SYMBOLS);
  build_tree(rc);
  *state = rc;
  return 0;
}

static int free_rfc_code(void **state) {
  free(*state);
  return 0;
}

/* ---- reference encoder and decoder, bit by bit -------------------------- */

typedef struct bit_writer {
  uint8_t bytes[MAX_ENCODED];
  size_t bit_count;
} bit_writer;

static void put_bits(bit_writer *w, uint32_t code, unsigned bits) {
  for (unsigned i = bits; i-- > 0;) {
    assert_true(w->bit_count < 8 * sizeof w->bytes);
    size_t at = w->bit_count++;
    if (code >> i & 1)
      w->bytes[at / 8] |= (uint8_t)(0x80 >> at % 8);
    else
      w->bytes[at / 8] &= (uint8_t) ~(0x80 >> at % 8);
  }
}

static void put_symbol(bit_writer *w, const rfc_code *rc, unsigned symbol) {
  put_bits(w, rc->code[symbol], rc->bits[symbol]);
}

/* RFC 7541 §5.2: pads with the most significant bits of EOS (ones). */
static size_t pad_with_ones(bit_writer *w) {
  while (w->bit_count % 8)
    put_bits(w, 1, 1);
  return w->bit_count / 8;
}

static size_t ref_encode(const rfc_code *rc, bit_writer *w, const uint8_t *src,
                         size_t len) {
  w->bit_count = 0;
  for (size_t i = 0; i < len; i++)
    put_symbol(w, rc, src[i]);
  return pad_with_ones(w);
}

/* Walks the tree bit by bit. Errors come in input order: EOS as a symbol,
 * a symbol with no room left, then at the end a remainder that is not
 * padding (more than 7 bits, or not all ones). */
static ptrdiff_t ref_decode(const rfc_code *rc, uint8_t *dst, size_t dst_cap,
                            const uint8_t *src, size_t len) {
  int node = 0;
  unsigned pending = 0, pending_ones = 0;
  size_t out = 0;
  for (size_t i = 0; i < 8 * len; i++) {
    unsigned bit = src[i / 8] >> (7 - i % 8) & 1;
    pending++;
    pending_ones += bit;
    int child = rc->tree[node][bit];
    if (child > 0) {
      node = child;
      continue;
    }
    int symbol = -1 - child;
    if (symbol == EOS)
      return H2E_ERR_COMPRESSION;
    if (out == dst_cap)
      return H2E_ERR_BUFFER_TOO_SMALL;
    dst[out++] = (uint8_t)symbol;
    node = 0;
    pending = pending_ones = 0;
  }
  if (pending > 7 || pending_ones != pending)
    return H2E_ERR_COMPRESSION;
  return (ptrdiff_t)out;
}

/* ---- helpers ------------------------------------------------------------ */

/* splitmix64: a deterministic PRNG for the random cases. */
static uint64_t next_random(uint64_t *seed) {
  uint64_t z = (*seed += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static size_t random_below(uint64_t *seed, size_t bound) {
  return (size_t)(next_random(seed) % bound);
}

/* Random octets: any value, or mostly what header values hold. */
static void random_string(uint64_t *seed, uint8_t *dst, size_t len) {
  static const char header_chars[] =
      "abcdefghijklmnopqrstuvwxyz0123456789-./=:;, _%ABCXYZ()?&+*\"'<>[]{}";
  int any_octet = random_below(seed, 4) == 0;
  for (size_t i = 0; i < len; i++)
    dst[i] =
        any_octet
            ? (uint8_t)next_random(seed)
            : (uint8_t)
                  header_chars[random_below(seed, sizeof header_chars - 1)];
}

static size_t parse_hex(uint8_t *dst, const char *hex) {
  size_t n = 0;
  for (; hex[0] && hex[1]; hex += 2) {
    unsigned byte;
    assert_int_equal(sscanf(hex, "%2x", &byte), 1);
    dst[n++] = (uint8_t)byte;
  }
  return n;
}

/* Guard bytes after dst_cap show any write past it. */
#define GUARD      0xa5
#define GUARD_SIZE 16

/* Decodes with the library and the reference at the same capacity and
 * checks they agree: same result, same output on success, nothing written
 * past dst_cap. Returns the result. */
static ptrdiff_t check_decode_at(const rfc_code *rc, const uint8_t *src,
                                 size_t len, size_t dst_cap) {
  uint8_t *got = malloc(dst_cap + GUARD_SIZE);
  uint8_t *want = malloc(dst_cap + 1);
  assert_non_null(got);
  assert_non_null(want);
  memset(got, GUARD, dst_cap + GUARD_SIZE);
  ptrdiff_t got_rc = h2e_huffman_decode(got, dst_cap, src, len);
  ptrdiff_t want_rc = ref_decode(rc, want, dst_cap, src, len);
  if (got_rc != want_rc) {
    fprintf(stderr, "decode of %zu bytes at cap %zu: got %td, want %td:", len,
            dst_cap, got_rc, want_rc);
    for (size_t i = 0; i < len; i++)
      fprintf(stderr, " %02x", src[i]);
    fprintf(stderr, "\n");
  }
  assert_int_equal(got_rc, want_rc);
  if (got_rc > 0)
    assert_memory_equal(got, want, (size_t)got_rc);
  for (size_t i = dst_cap; i < dst_cap + GUARD_SIZE; i++)
    assert_int_equal(got[i], GUARD);
  free(got);
  free(want);
  return got_rc;
}

/* Room enough for the decoder's fast paths, which store a few octets past
 * the symbols they keep: they need a little more than twice the input. */
#define ROOMY(len) (2 * (len) + 64)

/* check_decode_at with room for any result: just that, which takes the
 * decoder's careful path, and plenty, which takes its fast paths. */
static ptrdiff_t check_decode(const rfc_code *rc, const uint8_t *src,
                              size_t len) {
  ptrdiff_t result =
      check_decode_at(rc, src, len, H2E_HUFFMAN_DECODED_MAX(len) + 1);
  assert_int_equal(check_decode_at(rc, src, len, ROOMY(len)), result);
  return result;
}

/* Encodes with the library, checks the bytes and length against the
 * reference, then decodes them back. */
static void check_round_trip(const rfc_code *rc, const uint8_t *plain,
                             size_t len) {
  bit_writer w;
  size_t want_len = ref_encode(rc, &w, plain, len);
  uint8_t encoded[MAX_ENCODED + GUARD_SIZE];
  memset(encoded, GUARD, sizeof encoded);
  assert_int_equal(h2e_huffman_encoded_len(plain, len), want_len);
  assert_int_equal(h2e_huffman_encode(encoded, plain, len), want_len);
  assert_memory_equal(encoded, w.bytes, want_len);
  assert_int_equal(encoded[want_len], GUARD);
  assert_true(len <= H2E_HUFFMAN_DECODED_MAX(want_len));
  uint8_t decoded[MAX_STRING + 8];
  assert_int_equal(h2e_huffman_decode(decoded, len, encoded, want_len),
                   (ptrdiff_t)len);
  assert_memory_equal(decoded, plain, len);
  assert_int_equal(check_decode(rc, encoded, want_len), (ptrdiff_t)len);
}

static void expect_compression_error(const rfc_code *rc, const uint8_t *src,
                                     size_t len) {
  assert_int_equal(check_decode(rc, src, len), H2E_ERR_COMPRESSION);
}

/* ---- Appendix B: the tables --------------------------------------------- */

static void test_b_generated_tables_match_the_rfc(void **state) {
  const rfc_code *rc = *state;
  for (unsigned s = 0; s < 256; s++) {
    assert_int_equal(h2e_huffman_codes[s], rc->code[s]);
    assert_int_equal(h2e_huffman_code_bits[s], rc->bits[s]);
  }
  assert_int_equal(rc->bits[EOS], H2E_HUFFMAN_MAX_BITS);
  assert_int_equal(rc->code[EOS], (1u << H2E_HUFFMAN_MAX_BITS) - 1);
}

/* lib/huffman_table.c is what tools/gen_huffman.py makes of the RFC text
 * today. Skipped where there is no shell or no python3. */
static void test_b_generator_reproduces_the_committed_table(void **state) {
  (void)state;
  if (!system(NULL))
    skip();
  char command[1024];
  snprintf(command, sizeof command,
           "python3 '%s/tools/gen_huffman.py' --check '%s' "
           "'%s/lib/huffman_table.c'",
           H2E_SOURCE_DIR, RFC7541_PATH, H2E_SOURCE_DIR);
  int status = system(command);
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
    skip(); /* no python3 */
  assert_int_equal(status, 0);
}

/* Every bit string starts with a code: each tree node has both children,
 * which is what lets the decoder read ones past the input. */
static void test_b_code_is_complete(void **state) {
  const rfc_code *rc = *state;
  assert_int_equal(rc->nodes, SYMBOLS - 1);
  for (int node = 0; node < rc->nodes; node++) {
    assert_int_not_equal(rc->tree[node][0], 0);
    assert_int_not_equal(rc->tree[node][1], 0);
  }
}

/* Length of the shortest code below node, counted from node. */
static unsigned shortest_below(const rfc_code *rc, unsigned node) {
  unsigned shortest = 2 * SYMBOLS;
  for (unsigned bit = 0; bit < 2; bit++) {
    int child = rc->tree[node][bit];
    unsigned below = child < 0 ? 1 : 1 + shortest_below(rc, (unsigned)child);
    if (below < shortest)
      shortest = below;
  }
  return shortest;
}

/* The peek table against the tree, window by window: the first
 * H2E_HUFFMAN_PEEK_SYMBOLS whole codes, or where a long code starts. */
static void test_b_peek_table_matches_the_tree(void **state) {
  const rfc_code *rc = *state;
  for (unsigned window = 0; window < 1u << H2E_HUFFMAN_PEEK_BITS; window++) {
    uint32_t entry = h2e_huffman_peek_table[window];
    unsigned entry_count = entry >> H2E_HUFFMAN_PEEK_COUNT_SHIFT;
    unsigned entry_bits =
        entry >> H2E_HUFFMAN_PEEK_BITS_SHIFT & H2E_HUFFMAN_PEEK_BITS_MASK;
    uint8_t want[H2E_HUFFMAN_PEEK_SYMBOLS];
    unsigned count = 0, used = 0, node = 0;
    for (unsigned i = H2E_HUFFMAN_PEEK_BITS;
         i-- > 0 && count < H2E_HUFFMAN_PEEK_SYMBOLS;) {
      int child = rc->tree[node][window >> i & 1];
      if (child > 0) {
        node = (unsigned)child;
        continue;
      }
      want[count++] = (uint8_t)(-1 - child);
      used = H2E_HUFFMAN_PEEK_BITS - i;
      node = 0;
    }
    assert_int_equal(entry_count, count);
    if (count > 0) {
      assert_int_equal(entry_bits, used);
      for (unsigned i = 0; i < count; i++)
        assert_int_equal(entry >> (8 + 8 * i) & 0xff, want[i]);
    } else { /* no bits taken; where the search for a long code starts */
      assert_int_equal(entry_bits, 0);
      assert_int_equal(entry, (H2E_HUFFMAN_PEEK_BITS + shortest_below(rc, node))
                                  << 8);
    }
  }
}

/* ---- Appendix C.4 and C.6: the examples --------------------------------- */

static const struct {
  const char *plain;
  const char *encoded_hex;
} rfc_examples[] = {
    {"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"}, /* C.4.1 */
    {"no-cache", "a8eb10649cbf"},                    /* C.4.2 */
    {"custom-key", "25a849e95ba97d7f"},              /* C.4.3 */
    {"custom-value", "25a849e95bb8e8b4bf"},          /* C.4.3 */
    {"302", "6402"},                                 /* C.6.1 */
    {"private", "aec3771a4b"},                       /* C.6.1 */
    {"Mon, 21 Oct 2013 20:13:21 GMT",                /* C.6.1 */
     "d07abe941054d444a8200595040b8166e082a62d1bff"},
    {"https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"},
    {"307", "640eff"},                /* C.6.2 */
    {"Mon, 21 Oct 2013 20:13:22 GMT", /* C.6.3 */
     "d07abe941054d444a8200595040b8166e084a62d1bff"},
    {"gzip", "9bd9ab"},                                          /* C.6.3 */
    {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1", /* C.6.3 */
     "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065"
     "c003ed4ee5b1063d5007"},
};

static void test_c_4_c_6_huffman_examples_encode_and_decode(void **state) {
  const rfc_code *rc = *state;
  for (size_t i = 0; i < sizeof rfc_examples / sizeof rfc_examples[0]; i++) {
    const uint8_t *plain = (const uint8_t *)rfc_examples[i].plain;
    size_t plain_len = strlen(rfc_examples[i].plain);
    uint8_t want[64], got[64], decoded[64];
    size_t want_len = parse_hex(want, rfc_examples[i].encoded_hex);
    assert_int_equal(h2e_huffman_encoded_len(plain, plain_len), want_len);
    assert_int_equal(h2e_huffman_encode(got, plain, plain_len), want_len);
    assert_memory_equal(got, want, want_len);
    assert_int_equal(
        h2e_huffman_decode(decoded, sizeof decoded, want, want_len),
        (ptrdiff_t)plain_len);
    assert_memory_equal(decoded, plain, plain_len);
    check_round_trip(rc, plain, plain_len);
  }
}

/* ---- §5.2: valid strings ------------------------------------------------ */

static void test_5_2_empty_string_decodes_to_nothing(void **state) {
  (void)state;
  uint8_t byte = GUARD;
  assert_int_equal(h2e_huffman_encoded_len(NULL, 0), 0);
  assert_int_equal(h2e_huffman_encode(&byte, NULL, 0), 0);
  assert_int_equal(h2e_huffman_decode(&byte, 1, NULL, 0), 0);
  assert_int_equal(h2e_huffman_decode(NULL, 0, NULL, 0), 0);
  assert_int_equal(byte, GUARD);
}

static void test_5_2_every_symbol_round_trips_alone(void **state) {
  const rfc_code *rc = *state;
  for (unsigned s = 0; s < 256; s++) {
    uint8_t plain = (uint8_t)s;
    check_round_trip(rc, &plain, 1);
  }
}

static void test_5_2_every_symbol_round_trips_in_sequence(void **state) {
  const rfc_code *rc = *state;
  uint8_t up[256], down[256], twice[512];
  for (unsigned s = 0; s < 256; s++) {
    up[s] = (uint8_t)s;
    down[s] = (uint8_t)(255 - s);
    twice[2 * s] = twice[2 * s + 1] = (uint8_t)s;
  }
  check_round_trip(rc, up, sizeof up);
  check_round_trip(rc, down, sizeof down);
  check_round_trip(rc, twice, sizeof twice);
}

/* Each symbol after every shorter run of '0' (5 bits), so that each code
 * starts at every bit offset and ends at every padding length. */
static void test_5_2_every_symbol_at_every_bit_offset(void **state) {
  const rfc_code *rc = *state;
  for (unsigned s = 0; s < 256; s++) {
    for (size_t zeros = 0; zeros < 8; zeros++) {
      uint8_t plain[10];
      memset(plain, '0', zeros);
      plain[zeros] = (uint8_t)s;
      plain[zeros + 1] = (uint8_t)s;
      check_round_trip(rc, plain, zeros + 1);
      check_round_trip(rc, plain, zeros + 2);
    }
  }
}

/* The decoder reads the last 8 input bytes from a register and the ones
 * before from memory: every symbol, long codes included, at every place
 * of a string that has both, and strings of every length either side of
 * 8 bytes, ending at every bit offset. */
static void
test_5_2_every_symbol_at_every_place_of_a_longer_string(void **state) {
  const rfc_code *rc = *state;
  static const char filler[] = "0a.-";
  uint8_t plain[24];
  for (unsigned s = 0; s < 256; s++) {
    for (size_t at = 0; at < sizeof plain; at++) {
      for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)filler[i % 4];
      plain[at] = (uint8_t)s;
      check_round_trip(rc, plain, sizeof plain);
    }
  }
}

static void test_5_2_strings_of_every_length_round_trip(void **state) {
  const rfc_code *rc = *state;
  static const char *const texts[] = {
      "0000000000000000000000000000000000000000", /* 5-bit codes */
      "www.example.com/index.html?q=1&r=2#frag",
      "\x01\xff<>{}^~|\\\x7f\x80\xfe long codes all over"};
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    size_t text_len = strlen(texts[t]);
    for (size_t len = 0; len <= text_len; len++)
      check_round_trip(rc, (const uint8_t *)texts[t], len);
  }
}

/* RFC 7541 §5.2: 0 to 7 bits of padding are all fine. */
static void test_5_2_padding_of_0_to_7_bits_is_valid(void **state) {
  const rfc_code *rc = *state;
  unsigned seen = 0;
  /* '0' is 5 bits: n of them leave (8 - 5n % 8) % 8 bits of padding. */
  for (size_t n = 1; n <= 8; n++) {
    uint8_t plain[8];
    memset(plain, '0', n);
    bit_writer w;
    size_t len = ref_encode(rc, &w, plain, n);
    unsigned padding = (unsigned)(8 * len - 5 * n);
    seen |= 1u << padding;
    uint8_t decoded[16];
    assert_int_equal(h2e_huffman_decode(decoded, sizeof decoded, w.bytes, len),
                     (ptrdiff_t)n);
    assert_memory_equal(decoded, plain, n);
  }
  assert_int_equal(seen, 0xff);
}

/* ---- §5.2: invalid strings ---------------------------------------------- */

/* RFC 7541 §5.2: "padding strictly longer than 7 bits MUST be treated as a
 * decoding error". */
static void
test_5_2_padding_of_8_or_more_bits_is_compression_error(void **state) {
  const rfc_code *rc = *state;
  static const uint8_t ones[4] = {0xff, 0xff, 0xff, 0xff};
  for (size_t n = 1; n <= sizeof ones; n++)
    expect_compression_error(rc, ones, n);
  /* Valid strings with 0..7 bits of padding, plus one byte of ones. */
  for (size_t n = 1; n <= 8; n++) {
    uint8_t plain[8];
    memset(plain, 'a', n);
    bit_writer w;
    size_t len = ref_encode(rc, &w, plain, n);
    for (size_t extra = 1; extra <= 3; extra++) {
      memset(w.bytes + len, 0xff, extra);
      expect_compression_error(rc, w.bytes, len + extra);
    }
  }
}

/* RFC 7541 §5.2: "a padding not corresponding to the most significant bits
 * of the code for the EOS symbol MUST be treated as a decoding error". A
 * zero in padding of up to 5 bits never completes a code (the shortest is
 * 5 bits and has two zeros or more); longer padding with a zero may read
 * as one more symbol, which the reference decides. */
static void test_5_2_zero_bit_in_padding_is_compression_error(void **state) {
  const rfc_code *rc = *state;
  unsigned errors = 0;
  for (size_t n = 1; n <= 8; n++) {
    uint8_t plain[8];
    memset(plain, '0', n);
    bit_writer w;
    size_t len = ref_encode(rc, &w, plain, n);
    unsigned padding = (unsigned)(8 * len - 5 * n);
    for (unsigned zero_at = 0; zero_at < padding; zero_at++) {
      uint8_t bad[8];
      memcpy(bad, w.bytes, len);
      bad[len - 1] &= (uint8_t) ~(1u << (padding - 1 - zero_at));
      ptrdiff_t rc_got = check_decode(rc, bad, len);
      if (padding <= 5)
        assert_int_equal(rc_got, H2E_ERR_COMPRESSION);
      errors += rc_got == H2E_ERR_COMPRESSION;
    }
  }
  assert_true(errors >= 1 + 2 + 3 + 4 + 5);
}

/* RFC 7541 §5.2: "A Huffman-encoded string literal containing the EOS
 * symbol MUST be treated as a decoding error." */
static void test_5_2_eos_in_string_is_compression_error(void **state) {
  const rfc_code *rc = *state;
  static const char *const texts[] = {"", "a", "abc", "www.example.com"};
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    size_t len = strlen(texts[t]);
    for (size_t eos_at = 0; eos_at <= len; eos_at++) {
      for (unsigned eos_count = 1; eos_count <= 2; eos_count++) {
        bit_writer w = {.bit_count = 0};
        for (size_t i = 0; i <= len; i++) {
          if (i == eos_at)
            for (unsigned e = 0; e < eos_count; e++)
              put_symbol(&w, rc, EOS);
          if (i < len)
            put_symbol(&w, rc, (uint8_t)texts[t][i]);
        }
        expect_compression_error(rc, w.bytes, pad_with_ones(&w));
      }
    }
  }
}

/* A long code cut at a byte boundary with 8 bits or more of it left: too
 * long for padding, whether the bits are all ones or not. Includes the
 * 30-bit codes of 10, 13 and 22. */
static void test_5_2_truncated_long_code_is_compression_error(void **state) {
  const rfc_code *rc = *state;
  static const unsigned long_symbols[] = {0, 10, 13, 22, 92, 127, 200, 255};
  for (size_t i = 0; i < sizeof long_symbols / sizeof long_symbols[0]; i++) {
    unsigned s = long_symbols[i];
    bit_writer w = {.bit_count = 0};
    put_symbol(&w, rc, 'x');
    size_t code_start = w.bit_count;
    put_symbol(&w, rc, s);
    unsigned cuts = 0;
    for (size_t cut = 1; 8 * cut < w.bit_count; cut++) {
      if (8 * cut - code_start < 8)
        continue;
      expect_compression_error(rc, w.bytes, cut);
      cuts++;
    }
    assert_true(cuts >= 1);
  }
}

/* ---- output room ------------------------------------------------------ */

static void
test_5_2_output_larger_than_dst_cap_is_buffer_too_small(void **state) {
  const rfc_code *rc = *state;
  static const char *const texts[] = {"a", "www.example.com",
                                      "\\\x01\xff<>{}^~ long codes"};
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    size_t len = strlen(texts[t]);
    uint8_t encoded[64];
    size_t encoded_len =
        h2e_huffman_encode(encoded, (const uint8_t *)texts[t], len);
    for (size_t cap = 0; cap < len; cap++)
      assert_int_equal(check_decode_at(rc, encoded, encoded_len, cap),
                       H2E_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(check_decode_at(rc, encoded, encoded_len, len),
                     (ptrdiff_t)len);
  }
  uint8_t x = 'x', encoded[4];
  size_t encoded_len = h2e_huffman_encode(encoded, &x, 1);
  assert_int_equal(h2e_huffman_decode(NULL, 0, encoded, encoded_len),
                   H2E_ERR_BUFFER_TOO_SMALL);
}

/* The shortest code is 5 bits: 8 '0's fill 5 bytes exactly. */
static void test_5_2_decoded_max_bounds_the_shortest_codes(void **state) {
  const rfc_code *rc = *state;
  uint8_t plain[40], encoded[32], decoded[64];
  memset(plain, '0', sizeof plain);
  size_t len = h2e_huffman_encode(encoded, plain, sizeof plain);
  assert_int_equal(len, 25);
  assert_int_equal(H2E_HUFFMAN_DECODED_MAX(len), sizeof plain);
  assert_int_equal(
      h2e_huffman_decode(decoded, H2E_HUFFMAN_DECODED_MAX(len), encoded, len),
      (ptrdiff_t)sizeof plain);
  check_round_trip(rc, plain, sizeof plain);
}

/* ---- against the reference: exhaustive and random ----------------------- */

static void
test_5_2_every_one_and_two_byte_input_matches_reference(void **state) {
  const rfc_code *rc = *state;
  for (unsigned v = 0; v < 1u << 16; v++) {
    uint8_t bytes[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    check_decode(rc, bytes, 2);
    if (v < 256)
      check_decode(rc, bytes + 1, 1);
  }
}

static void test_5_2_random_strings_round_trip(void **state) {
  const rfc_code *rc = *state;
  uint64_t seed = 7541;
  uint8_t plain[MAX_STRING];
  for (int i = 0; i < 4000; i++) {
    size_t len = random_below(&seed, i < 2000 ? 40 : MAX_STRING);
    random_string(&seed, plain, len);
    check_round_trip(rc, plain, len);
  }
}

static void test_5_2_random_bytes_decode_like_reference(void **state) {
  const rfc_code *rc = *state;
  uint64_t seed = 9113;
  uint8_t bytes[64];
  unsigned valid = 0;
  for (int i = 0; i < 50000; i++) {
    size_t len = random_below(&seed, sizeof bytes);
    for (size_t k = 0; k < len; k++)
      bytes[k] = (uint8_t)next_random(&seed);
    /* Mostly ones, so that long codes, EOS and padding come up. */
    if (i % 2)
      for (size_t k = 0; k < len; k++)
        bytes[k] |= (uint8_t)next_random(&seed);
    valid += check_decode(rc, bytes, len) >= 0;
  }
  assert_true(valid > 100);
}

/* Every prefix of a valid encoding, at every output capacity around the
 * decoded length, agrees with the reference. */
static void test_5_2_every_prefix_decodes_like_reference(void **state) {
  const rfc_code *rc = *state;
  uint64_t seed = 1;
  uint8_t plain[80], encoded[MAX_ENCODED];
  for (int i = 0; i < 300; i++) {
    size_t len = random_below(&seed, sizeof plain);
    random_string(&seed, plain, len);
    size_t encoded_len = h2e_huffman_encode(encoded, plain, len);
    for (size_t prefix = 0; prefix <= encoded_len; prefix++) {
      check_decode(rc, encoded, prefix);
      if (i % 10 == 0)
        for (size_t cap = 0; cap <= len + 1; cap++)
          check_decode_at(rc, encoded, prefix, cap);
    }
  }
}

/* Single bit flips and byte changes in valid encodings. */
static void test_5_2_corrupted_encodings_decode_like_reference(void **state) {
  const rfc_code *rc = *state;
  uint64_t seed = 42;
  uint8_t plain[60], encoded[MAX_ENCODED];
  for (int i = 0; i < 400; i++) {
    size_t len = 1 + random_below(&seed, sizeof plain - 1);
    random_string(&seed, plain, len);
    size_t encoded_len = h2e_huffman_encode(encoded, plain, len);
    for (size_t bit = 0; bit < 8 * encoded_len; bit++) {
      encoded[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
      check_decode(rc, encoded, encoded_len);
      check_decode_at(rc, encoded, encoded_len, len);
      encoded[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
    }
    size_t at = random_below(&seed, encoded_len);
    encoded[at] = 0xff;
    check_decode(rc, encoded, encoded_len);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_b_generated_tables_match_the_rfc),
      cmocka_unit_test(test_b_generator_reproduces_the_committed_table),
      cmocka_unit_test(test_b_code_is_complete),
      cmocka_unit_test(test_b_peek_table_matches_the_tree),
      cmocka_unit_test(test_c_4_c_6_huffman_examples_encode_and_decode),
      cmocka_unit_test(test_5_2_every_symbol_at_every_place_of_a_longer_string),
      cmocka_unit_test(test_5_2_strings_of_every_length_round_trip),
      cmocka_unit_test(test_5_2_empty_string_decodes_to_nothing),
      cmocka_unit_test(test_5_2_every_symbol_round_trips_alone),
      cmocka_unit_test(test_5_2_every_symbol_round_trips_in_sequence),
      cmocka_unit_test(test_5_2_every_symbol_at_every_bit_offset),
      cmocka_unit_test(test_5_2_padding_of_0_to_7_bits_is_valid),
      cmocka_unit_test(test_5_2_padding_of_8_or_more_bits_is_compression_error),
      cmocka_unit_test(test_5_2_zero_bit_in_padding_is_compression_error),
      cmocka_unit_test(test_5_2_eos_in_string_is_compression_error),
      cmocka_unit_test(test_5_2_truncated_long_code_is_compression_error),
      cmocka_unit_test(test_5_2_output_larger_than_dst_cap_is_buffer_too_small),
      cmocka_unit_test(test_5_2_decoded_max_bounds_the_shortest_codes),
      cmocka_unit_test(test_5_2_every_one_and_two_byte_input_matches_reference),
      cmocka_unit_test(test_5_2_random_strings_round_trip),
      cmocka_unit_test(test_5_2_random_bytes_decode_like_reference),
      cmocka_unit_test(test_5_2_every_prefix_decodes_like_reference),
      cmocka_unit_test(test_5_2_corrupted_encodings_decode_like_reference),
  };
  return cmocka_run_group_tests(tests, load_rfc_code, free_rfc_code);
}
