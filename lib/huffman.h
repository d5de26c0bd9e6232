/* RFC 7541 §5.2 and Appendix B: the HPACK Huffman code.
 *
 * Internal to h2e (hidden symbols); the HPACK codec is its only user. */
#ifndef H2E_HUFFMAN_H
#define H2E_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

/* Number of bytes the Huffman encoding of src[0..len) takes, padding
 * included. */
size_t h2e_huffman_encoded_len(const uint8_t *src, size_t len);

/* Writes the Huffman encoding of src[0..len) to dst, which must have room
 * for h2e_huffman_encoded_len(src, len) bytes. Returns the bytes written. */
size_t h2e_huffman_encode(uint8_t *dst, const uint8_t *src, size_t len);

/* Upper bound of the decoded length of len Huffman bytes: the shortest
 * code is 5 bits, so at most len * 8 / 5 symbols. */
#define H2E_HUFFMAN_DECODED_MAX(len) ((len)*8 / 5)

/* Decodes src[0..len) into dst (room for dst_cap bytes). Strict per
 * RFC 7541 §5.2: padding longer than 7 bits, padding that is not the most
 * significant bits of EOS (all ones), and an EOS symbol in the string are
 * errors. Returns the decoded length, H2E_ERR_COMPRESSION for an invalid
 * string, or H2E_ERR_BUFFER_TOO_SMALL when dst_cap is exceeded (nothing
 * beyond dst_cap is written). */
ptrdiff_t h2e_huffman_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src,
                             size_t len);

#endif
