/* RFC 7541 §5.2: the Huffman code of HPACK string literals.
 *
 * Encoding packs codes into a 64-bit accumulator and writes 32 bits at a
 * time. Decoding keeps a 64-bit window on the input, most significant bit
 * first, and looks its top H2E_HUFFMAN_PEEK_BITS bits up in a table that
 * gives the one or two whole symbols they start with; the rare codes
 * longer than the window are decoded from the canonical-code tables.
 * Tables (lib/huffman_table.c): 64 KiB of peek entries, 1.3 KiB for the
 * encoder, under 1 KiB for the canonical code. */
#include "huffman.h"

#include "h2e_base.h"
#include "huffman_table.h"

#include <string.h>

/* ---- encoding ---------------------------------------------------------- */

size_t h2e_huffman_encoded_len(const uint8_t *src, size_t len) {
  uint64_t bits = 0;
  for (size_t i = 0; i < len; i++)
    bits += h2e_huffman_code_bits[src[i]];
  return (size_t)((bits + 7) / 8);
}

static void store_be32(uint8_t *dst, uint32_t value) {
  dst[0] = (uint8_t)(value >> 24);
  dst[1] = (uint8_t)(value >> 16);
  dst[2] = (uint8_t)(value >> 8);
  dst[3] = (uint8_t)value;
}

size_t h2e_huffman_encode(uint8_t *dst, const uint8_t *src, size_t len) {
  uint8_t *out = dst;
  /* The low pending_bits bits of pending are not written yet; fewer than
   * 32 between symbols, so a 30-bit code always fits. */
  uint64_t pending = 0;
  unsigned pending_bits = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned bits = h2e_huffman_code_bits[src[i]];
    pending = pending << bits | h2e_huffman_codes[src[i]];
    pending_bits += bits;
    if (pending_bits >= 32) {
      pending_bits -= 32;
      store_be32(out, (uint32_t)(pending >> pending_bits));
      out += 4;
    }
  }
  /* RFC 7541 §5.2: pad to an octet boundary with the most significant bits
   * of EOS, which are all ones. */
  unsigned padding = (8 - pending_bits % 8) % 8;
  pending = pending << padding | ((1u << padding) - 1);
  pending_bits += padding;
  while (pending_bits > 0) {
    pending_bits -= 8;
    *out++ = (uint8_t)(pending >> pending_bits);
  }
  return (size_t)(out - dst);
}

/* ---- decoding ---------------------------------------------------------- */

/* The decoder reads 8 bytes at a time into a 64-bit window. The last few
 * input bytes come from a register instead, followed by ones, so reading
 * never stops: past the end of the input the window holds ones, which can
 * only start EOS (RFC 7541 §5.2: EOS is 30 ones and no other code is all
 * ones). Decoding EOS therefore marks the end of the string, and a code
 * that runs past the end of the input makes bits_left negative. */
typedef struct huffman_decoder {
  uint64_t window;     /* bits read ahead, most significant first */
  unsigned count;      /* how many bits of window were read */
  int64_t bits_left;   /* input bits not yet decoded */
  const uint8_t *next; /* where reading from the input continues */
  const uint8_t *end;  /* end of input */
  uint64_t tail;       /* the last input bytes; see refill */
  uint8_t *out;        /* where the next symbol goes */
  uint8_t *out_end;    /* end of output space */
} huffman_decoder;

/* A step's outcome besides an H2E_ERR_* code: the string ended well, more
 * to decode, or a code longer than the peek window is next. */
enum { DECODE_END = 0, DECODE_MORE = 1, DECODE_LONG = 2 };

/* Each refill tops the window up to at least 56 bits: enough for
 * FAST_STEPS lookups. Each stores both symbol octets of its entry, hence
 * FAST_ROOM. */
#define FAST_STEPS (56 / H2E_HUFFMAN_PEEK_BITS)
#define FAST_ROOM  (H2E_HUFFMAN_PEEK_SYMBOLS * FAST_STEPS)

/* Compilers turn this into one load and a byte swap. */
static inline uint64_t load_be64(const uint8_t *src) {
  return (uint64_t)src[0] << 56 | (uint64_t)src[1] << 48 |
         (uint64_t)src[2] << 40 | (uint64_t)src[3] << 32 |
         (uint64_t)src[4] << 24 | (uint64_t)src[5] << 16 |
         (uint64_t)src[6] << 8 | (uint64_t)src[7];
}

static inline uint32_t load_be32(const uint8_t *src) {
  return (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 |
         (uint32_t)src[2] << 8 | (uint32_t)src[3];
}

/* The last min(len, 8) bytes of src[0..len), big-endian; len > 0. Short
 * inputs are read in overlapping pieces: the bytes read twice land on the
 * same bits. */
static uint64_t load_last_bytes(const uint8_t *src, size_t len) {
  if (len >= 8)
    return load_be64(src + len - 8);
  if (len >= 4)
    return (uint64_t)load_be32(src) << (8 * (len - 4)) |
           load_be32(src + len - 4);
  return (uint64_t)src[0] << (8 * (len - 1)) |
         (uint64_t)src[len / 2] << (8 * (len - 1 - len / 2)) | src[len - 1];
}

/* Shifts bits out of the top of value and ones in at the bottom. */
static inline uint64_t shift_in_ones(uint64_t value, unsigned bits) {
  return ~(~value << bits);
}

/* Tops count up to 56..63 with the whole bytes that fit. The bits below
 * count are the start of the next byte, which the next refill ORs in
 * again at the same place. With fewer than 8 input bytes left, tail (the
 * last 8 input bytes) is shifted once so that it starts at next, with
 * ones after the input, and reading continues from it. */
static inline void refill(huffman_decoder *d) {
  unsigned whole_bytes = (63 - d->count) >> 3;
  ptrdiff_t input_left = d->end - d->next;
  if (input_left >= 8) {
    d->window |= load_be64(d->next) >> d->count;
    d->next += whole_bytes;
  } else {
    if (input_left > 0) {
      d->tail = shift_in_ones(d->tail, 8 * (8 - (unsigned)input_left));
      d->next = d->end;
    }
    d->window |= d->tail >> d->count;
    d->tail = shift_in_ones(d->tail, 8 * whole_bytes);
  }
  d->count |= 56;
}

static inline uint32_t peek(const huffman_decoder *d) {
  return h2e_huffman_peek_table[d->window >> (64 - H2E_HUFFMAN_PEEK_BITS)];
}

static inline unsigned peek_count(uint32_t entry) {
  return entry >> H2E_HUFFMAN_PEEK_COUNT_SHIFT;
}

/* The bits are the entry's low bits, so that the shift that consumes them
 * follows the table load at once. */
static inline unsigned peek_bits(uint32_t entry) {
  return entry & H2E_HUFFMAN_PEEK_BITS_MASK;
}

/* The first symbol, or for count 0 where the search for a long code
 * starts. */
static inline unsigned peek_first(uint32_t entry) {
  return entry >> H2E_HUFFMAN_PEEK_SYMBOL_SHIFT & 0xff;
}

/* Stores value little-endian: one store on the hosts that are. */
static inline void store_le16(uint8_t *dst, uint16_t value) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(dst, &value, sizeof value);
#else
  dst[0] = (uint8_t)value;
  dst[1] = (uint8_t)(value >> 8);
#endif
}

/* Storing both symbol octets puts the entry's symbols in place in one go;
 * those past its count are overwritten next. */
static inline void store_symbols(uint8_t *out, uint32_t entry) {
  store_le16(out, (uint16_t)(entry >> H2E_HUFFMAN_PEEK_SYMBOL_SHIFT));
}

static inline void consume(huffman_decoder *d, unsigned bits) {
  d->window <<= bits;
  d->count -= bits;
  d->bits_left -= bits;
}

/* The symbol (EOS included) whose code starts the window, at least
 * min_bits long; its length goes to *bits. The code is canonical, so the
 * length is the first whose limit exceeds the window's prefix. */
static unsigned decode_long(uint64_t window, unsigned min_bits,
                            unsigned *bits) {
  uint32_t top = (uint32_t)(window >> 32);
  unsigned n = min_bits;
  while (top >> (32 - n) >= h2e_huffman_code_limit[n])
    n++;
  *bits = n;
  uint32_t rank =
      h2e_huffman_first_rank[n] + (top >> (32 - n)) - h2e_huffman_first_code[n];
  return h2e_huffman_ranked_symbols[rank];
}

/* A code longer than the peek window starts the window. With fewer than 8
 * input bits left that is the end of the string (RFC 7541 §5.2): fine when
 * those bits are padding, all ones, which the window's top 8 bits tell as
 * ones follow the input. Otherwise the code, EOS included, must be whole
 * in the input; a refill makes room for it in the window. */
static int decode_long_step(huffman_decoder *d) {
  if (d->bits_left < 8)
    return d->bits_left >= 0 && d->window >> 56 == 0xff ? DECODE_END
                                                        : H2E_ERR_COMPRESSION;
  refill(d);
  unsigned bits;
  unsigned symbol = decode_long(d->window, peek_first(peek(d)), &bits);
  /* RFC 7541 §5.2: EOS in the string is a decoding error. */
  if (symbol == H2E_HUFFMAN_EOS || bits > d->bits_left)
    return H2E_ERR_COMPRESSION;
  if (d->out == d->out_end)
    return H2E_ERR_BUFFER_TOO_SMALL;
  *d->out++ = (uint8_t)symbol;
  consume(d, bits);
  return DECODE_MORE;
}

/* Up to FAST_STEPS lookups, output room known, stopping at a long code.
 * A code running past the input end leaves bits_left negative, caught by
 * the caller; past the end only ones follow, which start a long code. */
static inline int decode_fast(huffman_decoder *d) {
  unsigned count_before = d->count;
  uint32_t entry = 0;
  /* Unrolled: the loop counter costs more than it saves here. */
#pragma GCC unroll 4
  for (unsigned step = 0; step < FAST_STEPS; step++) {
    entry = peek(d);
    if (peek_count(entry) == 0)
      break;
    store_symbols(d->out, entry);
    d->out += peek_count(entry);
    d->window <<= peek_bits(entry);
    d->count -= peek_bits(entry);
  }
  d->bits_left -= count_before - d->count;
  return peek_count(entry) == 0 ? DECODE_LONG : DECODE_MORE;
}

/* One symbol, checking it against the input end and the output room, for
 * when the output is nearly full. */
static inline int decode_one(huffman_decoder *d) {
  uint32_t entry = peek(d);
  if (peek_count(entry) == 0)
    return DECODE_LONG;
  unsigned symbol = peek_first(entry);
  unsigned bits = h2e_huffman_code_bits[symbol];
  /* RFC 7541 §5.2: the input must not end inside a code. */
  if (bits > d->bits_left)
    return H2E_ERR_COMPRESSION;
  if (d->out == d->out_end)
    return H2E_ERR_BUFFER_TOO_SMALL;
  *d->out++ = (uint8_t)symbol;
  consume(d, bits);
  return DECODE_MORE;
}

ptrdiff_t h2e_huffman_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src,
                             size_t len) {
  if (len == 0)
    return 0;
  /* dst may be NULL when dst_cap is 0; NULL + 0 is not C. */
  uint8_t *out_end = dst_cap > 0 ? dst + dst_cap : dst;
  huffman_decoder d = {0,   0,         (int64_t)len * 8,
                       src, src + len, load_last_bytes(src, len),
                       dst, out_end};
  int rc = DECODE_MORE;
  while (rc == DECODE_MORE && d.bits_left > 0) {
    refill(&d);
    rc = d.out_end - d.out >= FAST_ROOM ? decode_fast(&d) : decode_one(&d);
    if (rc == DECODE_LONG)
      rc = decode_long_step(&d);
  }
  /* Out of input without EOS: fine unless a code ran past the end. */
  if (rc == DECODE_MORE)
    rc = d.bits_left == 0 ? DECODE_END : H2E_ERR_COMPRESSION;
  return rc < 0 ? rc : d.out - dst;
}
