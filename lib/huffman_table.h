/* The tables of the HPACK Huffman code (RFC 7541 Appendix B), generated
 * into lib/huffman_table.c by tools/gen_huffman.py. Internal to
 * lib/huffman.c. */
#ifndef H2E_HUFFMAN_TABLE_H
#define H2E_HUFFMAN_TABLE_H

#include <stdint.h>

/* The longest code (EOS and a few control octets) is 30 bits. */
#define H2E_HUFFMAN_MAX_BITS 30
/* The EOS symbol, which follows the 256 octets. */
#define H2E_HUFFMAN_EOS 256
/* The decoder's fast path looks at this many bits at a time and finds up
 * to H2E_HUFFMAN_PEEK_SYMBOLS whole codes in them. */
#define H2E_HUFFMAN_PEEK_BITS    14
#define H2E_HUFFMAN_PEEK_SYMBOLS 2

/* Encoding: each octet's code (aligned to the least significant bit) and
 * its length in bits. */
extern const uint32_t h2e_huffman_codes[256];
extern const uint8_t h2e_huffman_code_bits[256];

/* What a window of H2E_HUFFMAN_PEEK_BITS bits starts with, packed in 32
 * bits: the bits its whole codes take in bits 0 to 5 (where a shift by
 * the entry finds them at once), their symbols in octets 1 and 2, their
 * count (0..2) in bits 30 and 31. Count 0 means the first code is longer
 * than the window; such an entry takes no bits, and octet 1 is the
 * shortest length a code with this prefix has. */
#define H2E_HUFFMAN_PEEK_BITS_SHIFT  0
#define H2E_HUFFMAN_PEEK_BITS_MASK   0x3f
#define H2E_HUFFMAN_PEEK_COUNT_SHIFT 30

extern const uint32_t h2e_huffman_peek_table[1 << H2E_HUFFMAN_PEEK_BITS];

/* The code is canonical: the codes of length n are the consecutive values
 * first_code[n] .. code_limit[n] - 1, whose symbols are, in order,
 * ranked_symbols[first_rank[n]] and on. */
extern const uint32_t h2e_huffman_first_code[H2E_HUFFMAN_MAX_BITS + 1];
extern const uint32_t h2e_huffman_code_limit[H2E_HUFFMAN_MAX_BITS + 1];
extern const uint16_t h2e_huffman_first_rank[H2E_HUFFMAN_MAX_BITS + 1];
extern const uint16_t h2e_huffman_ranked_symbols[257];

#endif
