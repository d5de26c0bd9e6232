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

/* The input seen as a stream of bits, most significant first, that goes on
 * with ones past the end: those can only start EOS (RFC 7541 §5.2: EOS is
 * 30 ones and no other code is all ones), so a code that runs past the end
 * shows as a position beyond it, and padding as a long code at the end. */
typedef struct huffman_input {
  const uint8_t *src;
  size_t bits;       /* input length in bits */
  size_t tail_start; /* bit position of tail's first bit */
  uint64_t tail;     /* the last min(len, 8) input bytes, then ones */
} huffman_input;

/* Each window has at least 57 bits of the stream: enough for FAST_STEPS
 * lookups. Each lookup stores four octets, of which it keeps those of its
 * symbols, hence FAST_SLACK. */
#define FAST_STEPS (57 / H2E_HUFFMAN_PEEK_BITS)
#define FAST_SLACK 8

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

/* Shifts bits out of the top of value and ones in at the bottom. */
static inline uint64_t shift_in_ones(uint64_t value, unsigned bits) {
  return ~(~value << bits);
}

/* The last min(len, 8) bytes of src[0..len) from the top of the result,
 * ones after them; len > 0. Short inputs are read in overlapping pieces:
 * the bytes read twice land on the same bits. */
static inline uint64_t load_tail(const uint8_t *src, size_t len) {
  if (len >= 8)
    return load_be64(src + len - 8);
  uint64_t bytes;
  if (len >= 4)
    bytes =
        (uint64_t)load_be32(src) << (8 * (len - 4)) | load_be32(src + len - 4);
  else
    bytes = (uint64_t)src[0] << (8 * (len - 1)) |
            (uint64_t)src[len / 2] << (8 * (len - 1 - len / 2)) | src[len - 1];
  return shift_in_ones(bytes, 8 * (8 - (unsigned)len));
}

static inline void input_init(huffman_input *in, const uint8_t *src,
                              size_t len) {
  in->src = src;
  in->bits = len * 8;
  in->tail_start = len > 8 ? in->bits - 64 : 0;
  in->tail = load_tail(src, len);
}

/* The stream from bit pos (< in->bits) on: at least 57 bits of it, 64 from
 * the tail. */
static inline uint64_t window_at(const huffman_input *in, size_t pos) {
  if (pos < in->tail_start)
    return load_be64(in->src + (pos >> 3)) << (pos & 7);
  return shift_in_ones(in->tail, (unsigned)(pos - in->tail_start));
}

static inline uint32_t peek(uint64_t window) {
  return h2e_huffman_peek_table[window >> (64 - H2E_HUFFMAN_PEEK_BITS)];
}

static inline unsigned peek_count(uint32_t entry) {
  return entry >> H2E_HUFFMAN_PEEK_COUNT_SHIFT;
}

/* The count above the bits makes no difference to a shift of a 64-bit
 * window on the hosts that take shift counts modulo 64, and the mask goes
 * away there. */
static inline unsigned peek_bits(uint32_t entry) {
  return entry >> H2E_HUFFMAN_PEEK_BITS_SHIFT & H2E_HUFFMAN_PEEK_BITS_MASK;
}

/* The first symbol, or for count 0 where the search for a long code
 * starts. */
static inline unsigned peek_first(uint32_t entry) {
  return entry >> 8 & 0xff;
}

/* Stores the entry's symbols, and the octets after them, which the next
 * store overwrites: one little-endian store on the hosts that are. */
static inline void store_symbols(uint8_t *out, uint32_t entry) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t symbols = entry >> 8;
  memcpy(out, &symbols, sizeof symbols);
#else
  for (unsigned i = 0; i < 3; i++)
    out[i] = (uint8_t)(entry >> (8 + 8 * i));
#endif
}

/* Keeps the rare paths out of the fast one's registers. */
#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* decode_long's result: the symbol in the low octet, its code's length
 * above; STRING_END when the input ends in valid padding, or
 * H2E_ERR_COMPRESSION. */
#define STRING_END 0

static inline unsigned long_symbol(int decoded) {
  return (unsigned)decoded & 0xff;
}

static inline unsigned long_bits(int decoded) {
  return (unsigned)decoded >> 8;
}

/* The code longer than the peek window that starts window (entry is its
 * peek), bits_left >= 8 input bits from its start, which must hold it
 * whole. The code is canonical: its length is the first whose limit
 * exceeds the window's prefix. */
static NOINLINE int decode_long_code(uint64_t window, uint32_t entry,
                                     size_t bits_left) {
  uint32_t top = (uint32_t)(window >> 32);
  unsigned n = peek_first(entry);
  while (top >> (32 - n) >= h2e_huffman_code_limit[n])
    n++;
  unsigned symbol =
      h2e_huffman_ranked_symbols[h2e_huffman_first_rank[n] + (top >> (32 - n)) -
                                 h2e_huffman_first_code[n]];
  /* RFC 7541 §5.2: EOS in the string is a decoding error. */
  if (symbol == H2E_HUFFMAN_EOS || n > bits_left)
    return H2E_ERR_COMPRESSION;
  return (int)(n << 8 | symbol);
}

/* A code longer than the peek window starts window, bits_left input bits
 * from its start. With fewer than 8 bits left that is the end of the
 * string (RFC 7541 §5.2): fine when those bits are padding, all ones,
 * which the window's top 8 bits tell as ones follow the input. */
static inline int decode_long(uint64_t window, uint32_t entry,
                              size_t bits_left) {
  if (bits_left < 8)
    return window >> 56 == 0xff ? STRING_END : H2E_ERR_COMPRESSION;
  return decode_long_code(window, entry, bits_left);
}

/* The bit below the 57 of a window that the fast path uses: it marks the
 * window's end, so that where it went tells the bits the lookups took. */
#define WINDOW_MARK_BIT 6

static inline unsigned trailing_zeros(uint64_t value) {
#if defined(__GNUC__) || defined(__clang__)
  return (unsigned)__builtin_ctzll(value);
#else
  unsigned zeros = 0;
  for (; (value & 1) == 0; value >>= 1)
    zeros++;
  return zeros;
#endif
}

/* A window with its low bits given over to the mark; its
 * FAST_STEPS * H2E_HUFFMAN_PEEK_BITS top bits are the stream's. */
static inline uint64_t marked(uint64_t window) {
  return (window & ~(uint64_t)0 << (WINDOW_MARK_BIT + 1)) |
         (uint64_t)1 << WINDOW_MARK_BIT;
}

/* The bits the lookups took from a marked window. */
static inline unsigned taken(uint64_t window) {
  return trailing_zeros(window) - WINDOW_MARK_BIT;
}

/* One symbol at a time from pos on, decoded symbols already in dst,
 * checking each against the input end and the output room: for when the
 * output may not hold the whole string, and for long codes. Out of line,
 * so that the fast paths, which end with it, need no registers saved. */
static NOINLINE ptrdiff_t decode_careful(const uint8_t *src, size_t len,
                                         uint8_t *dst, size_t dst_cap,
                                         size_t decoded, size_t pos) {
  huffman_input input;
  input_init(&input, src, len);
  const huffman_input *in = &input;
  while (pos < in->bits) {
    uint64_t window = window_at(in, pos);
    uint32_t entry = peek(window);
    size_t bits_left = in->bits - pos;
    unsigned symbol, bits;
    if (peek_count(entry) > 0) {
      symbol = peek_first(entry);
      bits = h2e_huffman_code_bits[symbol];
      /* RFC 7541 §5.2: the input must not end inside a code. */
      if (bits > bits_left)
        return H2E_ERR_COMPRESSION;
    } else {
      int long_code = decode_long(window, entry, bits_left);
      if (long_code < 0)
        return long_code;
      if (long_code == STRING_END)
        break;
      symbol = long_symbol(long_code);
      bits = long_bits(long_code);
    }
    if (decoded == dst_cap)
      return H2E_ERR_BUFFER_TOO_SMALL;
    dst[decoded++] = (uint8_t)symbol;
    pos += bits;
  }
  return (ptrdiff_t)decoded;
}

/* Output room for what the fast paths may write: twice len is more than
 * H2E_HUFFMAN_DECODED_MAX and quicker to tell. */
static inline int fast_room(size_t dst_cap, size_t len) {
  return dst_cap / 2 >= len + FAST_SLACK;
}

/* Output room for every symbol the input can hold, so no check but one
 * per window for a long code or the end. The last 8 bytes are decoded
 * from the tail, its lookups stopping at a long code: past the end only
 * ones follow, which start one. A code running past the end leaves pos
 * beyond it. Decodes from pos on, out being where its symbols go. */
static inline ptrdiff_t decode_tail(const huffman_input *in, uint8_t *dst,
                                    uint8_t *out, size_t pos) {
  while (pos < in->bits) {
    uint64_t window =
        marked(shift_in_ones(in->tail, (unsigned)(pos - in->tail_start)));
    uint32_t entry = 0;
#pragma GCC unroll 4
    for (unsigned step = 0; step < FAST_STEPS; step++) {
      entry = peek(window);
      if (peek_count(entry) == 0)
        break;
      store_symbols(out, entry);
      out += peek_count(entry);
      window <<= peek_bits(entry);
    }
    pos += taken(window);
    if (peek_count(entry) == 0 && pos < in->bits) {
      /* RFC 7541 §5.2: fewer than 8 bits left are padding, all ones. */
      if (in->bits - pos < 8)
        return window_at(in, pos) >> 56 == 0xff ? out - dst
                                                : H2E_ERR_COMPRESSION;
      return decode_careful(in->src, in->bits / 8, dst, 2 * (in->bits / 8),
                            (size_t)(out - dst), pos);
    }
  }
  return pos == in->bits ? out - dst : H2E_ERR_COMPRESSION;
}

/* The body of an input longer than 8 bytes is decoded FAST_STEPS lookups
 * per window, without a branch: a long code stops the lookups, which all
 * see it then; the tail follows. While 8 bytes are left after those it
 * holds, the window is kept from one round to the next and topped up with
 * them, a load that does not wait for the lookups; the last rounds load
 * theirs where the lookups got to. */
static NOINLINE ptrdiff_t decode_body(const uint8_t *src, size_t len,
                                      uint8_t *dst) {
  huffman_input in;
  input_init(&in, src, len);
  uint8_t *out = dst;
  const uint8_t *next = src; /* the first byte the window has not read */
  uint64_t window = 0;
  unsigned count = 0; /* bits of the window read, from the top */
  uint32_t entry = 1u << H2E_HUFFMAN_PEEK_COUNT_SHIFT;
  while (next + 8 <= src + len && peek_count(entry) != 0) {
    /* The bits below count are the start of the next byte, which the
     * next round ORs in again at the same place. */
    window |= load_be64(next) >> count;
    next += (63 - count) >> 3;
    count |= 56;
#pragma GCC unroll 4
    for (unsigned step = 0; step < FAST_STEPS; step++) {
      entry = peek(window);
      store_symbols(out, entry);
      out += peek_count(entry);
      window <<= peek_bits(entry);
      count -= peek_bits(entry);
    }
  }
  size_t pos = (size_t)(next - src) * 8 - count;
  while (pos < in.tail_start && peek_count(entry) != 0) {
    window = marked(load_be64(src + (pos >> 3)) << (pos & 7));
#pragma GCC unroll 4
    for (unsigned step = 0; step < FAST_STEPS; step++) {
      entry = peek(window);
      store_symbols(out, entry);
      out += peek_count(entry);
      window <<= peek_bits(entry);
    }
    pos += taken(window);
  }
  if (peek_count(entry) == 0)
    return decode_careful(src, len, dst, 2 * len, (size_t)(out - dst), pos);
  return decode_tail(&in, dst, out, pos);
}

ptrdiff_t h2e_huffman_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src,
                             size_t len) {
  if (len == 0)
    return 0;
  if (!fast_room(dst_cap, len))
    return decode_careful(src, len, dst, dst_cap, 0, 0);
  if (len > 8)
    return decode_body(src, len, dst);
  huffman_input in;
  input_init(&in, src, len);
  return decode_tail(&in, dst, dst, 0);
}
