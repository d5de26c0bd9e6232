/* Frame codec internals shared by the parser, the reader and the writer. */
#ifndef H2E_FRAME_INTERNAL_H
#define H2E_FRAME_INTERNAL_H

#include "h2e_frame.h"

/* RFC 9113 §4.1: the reserved bit in front of every 31-bit field. */
#define H2E_U31_MASK 0x7fffffffu

static inline uint16_t h2e_get_u16(const uint8_t *p) {
  return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t h2e_get_u24(const uint8_t *p) {
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t h2e_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static inline uint8_t *h2e_put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
  return p + 2;
}

static inline uint8_t *h2e_put_u24(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
  return p + 3;
}

static inline uint8_t *h2e_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
  return p + 4;
}

/* Fills err (if not NULL) and returns H2E_ERR_PROTOCOL. */
int h2e_frame_fail(h2e_frame_error *err, h2e_h2_error code,
                   h2e_error_scope scope, uint32_t stream_id,
                   const char *reason);

/* The flags a type defines; 0xff for types this codec does not know. */
uint8_t h2e_frame_defined_flags(uint8_t type);

/* The rules a 9-octet header can break on its own: size limit, stream id,
 * length. Returns 0 or H2E_ERR_PROTOCOL with err filled. A stream-scope
 * result is to be reported only once the whole frame has arrived. */
int h2e_frame_check_header(const h2e_frame_header *hd, uint32_t max_frame_size,
                           h2e_frame_error *err);

/* RFC 9113 §6.1, §6.2, §6.6: the padding must fit in what remains of the
 * payload after the Pad Length and fixed fields. */
int h2e_frame_check_padding(const h2e_frame_header *hd, uint8_t pad_len,
                            h2e_frame_error *err);

/* Octets in front of the padded part of a PADDED frame: Pad Length plus
 * the fixed fields of the type (priority, promised stream id). */
uint32_t h2e_frame_padded_prefix(const h2e_frame_header *hd);

/* Decodes and checks the payload of a frame whose header passed
 * h2e_frame_check_header. Fills everything in *out but out->hd. */
int h2e_frame_decode_payload(const h2e_frame_header *hd, const uint8_t *payload,
                             h2e_frame *out, h2e_frame_error *err);

/* Payload decoders of the extension frames (frame_ext.c). */
int h2e_frame_decode_altsvc(const h2e_frame_header *hd, const uint8_t *payload,
                            h2e_frame *out, h2e_frame_error *err);
int h2e_frame_decode_origin(const h2e_frame_header *hd, const uint8_t *payload,
                            h2e_frame *out, h2e_frame_error *err);
int h2e_frame_decode_priority_update(const h2e_frame_header *hd,
                                     const uint8_t *payload, h2e_frame *out,
                                     h2e_frame_error *err);

#endif
